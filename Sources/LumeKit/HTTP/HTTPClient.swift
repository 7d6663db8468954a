import Foundation

/// One HTTP request, as data.
public struct HTTPRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [HTTPHeader]
    public var body: Data?
    /// Seconds for the whole exchange (connecting, sending, receiving).
    public var timeout: TimeInterval

    public init(method: String = "GET", url: String, headers: [HTTPHeader] = [], body: Data? = nil, timeout: TimeInterval = 30) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// A POST of `application/x-www-form-urlencoded` fields, as OAuth endpoints expect.
    public static func form(_ url: String, _ fields: [(String, String)], headers: [HTTPHeader] = [], timeout: TimeInterval = 30) -> HTTPRequest {
        HTTPRequest(
            method: "POST", url: url,
            headers: headers + [HTTPHeader("Content-Type", "application/x-www-form-urlencoded")],
            body: Data(FormEncoding.encode(fields).utf8), timeout: timeout)
    }
}

public struct HTTPHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public static func bearer(_ token: String) -> HTTPHeader { HTTPHeader("Authorization", "Bearer " + token) }
}

public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [HTTPHeader]
    public var body: Data

    public init(status: Int, headers: [HTTPHeader] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request got no HTTP answer, in words a user can act on.
public enum HTTPError: Error, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case cannotResolve(host: String)
    case cannotConnect(host: String)
    case timedOut(host: String)
    case tls(host: String, detail: String)
    case cancelled
    case transport(String)

    public var description: String {
        switch self {
        case let .invalidURL(url): return "not a valid URL: \(url)"
        case let .cannotResolve(host): return "cannot resolve \(host): are you offline?"
        case let .cannotConnect(host): return "cannot connect to \(host): is it running and reachable?"
        case let .timedOut(host): return "\(host) did not answer in time"
        case let .tls(host, detail): return "secure connection to \(host) failed: \(detail)"
        case .cancelled: return "cancelled"
        case let .transport(detail): return "network error: \(detail)"
        }
    }
}

/// The one way LumeKit talks HTTP. `CurlHTTPClient` is the live implementation; tests
/// talk to local servers through it too.
public protocol HTTPClient: Sendable {
    /// Sends the request and returns the whole response. Throws `HTTPError` when there is
    /// no HTTP answer; any HTTP status, 500 included, is a response.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse

    /// Sends the request and hands the body over as it arrives (server-sent events).
    /// `onData` runs on a background thread; the returned response has an empty body.
    /// `stallTimeout`: give up when nothing arrives for that long.
    func stream(_ request: HTTPRequest, stallTimeout: TimeInterval, onData: @escaping @Sendable (Data) -> Void) async throws -> HTTPResponse
}

/// `application/x-www-form-urlencoded` and URL query encoding.
public enum FormEncoding {
    /// RFC 3986 unreserved characters pass; everything else is percent-encoded (spaces as
    /// %20, which every OAuth server accepts).
    public static func escape(_ value: String) -> String {
        var result = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    public static func encode(_ fields: [(String, String)]) -> String {
        fields.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    /// Decodes `a=1&b=two%20words` (with `+` as space). Nil for malformed percent-escapes
    /// or bytes that are not UTF-8.
    public static func decode(_ query: Substring) -> [(String, String)]? {
        var fields: [(String, String)] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = unescape(parts[0]), let value = unescape(parts.count > 1 ? parts[1] : "") else { return nil }
            fields.append((name, value))
        }
        return fields
    }

    public static func unescape(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// `base?query` with the fields appended (after `&` if the base already has a query).
    public static func url(_ base: String, _ fields: [(String, String)]) -> String {
        guard !fields.isEmpty else { return base }
        return base + (base.contains("?") ? "&" : "?") + encode(fields)
    }
}
