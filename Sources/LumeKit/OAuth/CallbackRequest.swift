import Foundation

/// What the loopback listener decides about each request: pure functions of bytes, so
/// tests and the fuzz test drive them directly. `LoopbackListener` only moves bytes.

/// What this attempt's callback must look like.
public struct CallbackExpectation: Sendable, Equatable {
    /// The `Host` header browsers send for the redirect URI: "127.0.0.1:PORT".
    public let host: String
    /// "/oauth/callback" (Stage 1) or "/oauth/service-callback" (Stage 2).
    public let path: String
    /// The attempt's secret `state`.
    public let state: String

    public init(host: String, path: String, state: String) {
        self.host = host
        self.path = path
        self.state = state
    }
}

/// How an attempt ends once a request with the right state arrives.
public enum CallbackOutcome: Equatable, Sendable {
    /// Consent given: exchange this code, once.
    case code(String)
    /// The provider answered with an error: `access_denied` when the user declined,
    /// `invalid_scope` when it refuses a scope (Keep for consumer accounts).
    case error(code: String, description: String?)
    /// The right state, but an unusable callback (no code, duplicated or badly encoded
    /// parameters).
    case malformed(String)
}

/// The listener's answer to one request.
public struct ListenerResponse: Equatable, Sendable {
    public var status: Int
    public var reason: String
    public var extraHeaders: [HTTPHeader]
    public var html: String

    /// The bytes on the wire, with the headers every answer carries: no caching, no
    /// referrer, nothing loaded or run by the page, and the connection closed.
    public var bytes: [UInt8] {
        let body = Array(html.utf8)
        var head = "HTTP/1.1 \(status) \(reason)\r\n"
        head += "Content-Type: text/html; charset=utf-8\r\n"
        head += "Content-Length: \(body.count)\r\n"
        head += "Cache-Control: no-store\r\n"
        head += "Referrer-Policy: no-referrer\r\n"
        head += "Content-Security-Policy: default-src 'none'\r\n"
        head += "X-Content-Type-Options: nosniff\r\n"
        for header in extraHeaders { head += "\(header.name): \(header.value)\r\n" }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func page(_ status: Int, _ reason: String, _ title: String, _ message: String, headers: [HTTPHeader] = []) -> ListenerResponse {
        let html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>lume-tui: \(title)</title></head>\
            <body><h1>\(title)</h1><p>\(message)</p></body></html>
            """
        return ListenerResponse(status: status, reason: reason, extraHeaders: headers, html: html)
    }

    static let received = page(200, "OK", "Signed in", "lume-tui received the answer. You can close this tab and return to the terminal.")
    static let cancelled = page(200, "OK", "Sign-in cancelled", "The sign-in was cancelled. Return to the terminal.")
    static let badRequest = page(400, "Bad Request", "Bad request", "This request is not one lume-tui understands.")
    static let wrongState = page(400, "Bad Request", "Not this sign-in", "This link is not from the current sign-in. Start again from lume-tui.")
    static let unusable = page(400, "Bad Request", "Sign-in failed", "The answer from the sign-in page was incomplete. Return to the terminal and try again.")
    static let notFound = page(404, "Not Found", "Not found", "Nothing here.")
    static let methodNotAllowed = page(405, "Method Not Allowed", "Method not allowed", "Only GET is served here.", headers: [HTTPHeader("Allow", "GET")])
    static let misdirected = page(421, "Misdirected Request", "Misdirected request", "This request was not addressed to this listener.")
    static let uriTooLong = page(414, "URI Too Long", "Request too long", "The request line is too long.")
    static let headersTooLarge = page(431, "Request Header Fields Too Large", "Headers too large", "The request headers are too large.")
}

/// A parsed request line and headers (the listener never reads a body).
public struct RequestHead: Equatable, Sendable {
    public var method: String
    public var target: String
    public var headers: [HTTPHeader]
}

public enum RequestHeadParse: Equatable, Sendable {
    /// More bytes are needed.
    case incomplete
    case complete(RequestHead)
    /// Answer this and close the connection.
    case rejected(ListenerResponse)
}

public enum CallbackRequest {
    public static let maxRequestLine = 8 * 1024
    public static let maxHeaderBytes = 32 * 1024
    public static let maxHeaderLines = 100

    /// Parses the head of a request from the bytes received so far, within the limits of
    /// OAUTH.md (request line ≤ 8 KiB, headers ≤ 32 KiB and 100 lines).
    public static func parseHead(_ bytes: [UInt8]) -> RequestHeadParse {
        guard let lineEnd = bytes.firstIndex(of: 0x0A) else {
            return bytes.count > maxRequestLine ? .rejected(.uriTooLong) : .incomplete
        }
        guard lineEnd <= maxRequestLine else { return .rejected(.uriTooLong) }
        guard let requestLine = text(bytes[..<lineEnd]) else { return .rejected(.badRequest) }
        let parts = requestLine.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, isToken(parts[0]), !parts[1].isEmpty, parts[2] == "HTTP/1.1" || parts[2] == "HTTP/1.0" else {
            return .rejected(.badRequest)
        }
        var headers: [HTTPHeader] = []
        var position = lineEnd + 1
        while true {
            guard let end = bytes[position...].firstIndex(of: 0x0A) else {
                if bytes.count - lineEnd > maxHeaderBytes { return .rejected(.headersTooLarge) }
                return .incomplete
            }
            if end - lineEnd > maxHeaderBytes { return .rejected(.headersTooLarge) }
            guard let line = text(bytes[position..<end]) else { return .rejected(.badRequest) }
            position = end + 1
            if line.isEmpty { break }
            guard headers.count < maxHeaderLines else { return .rejected(.headersTooLarge) }
            guard let colon = line.firstIndex(of: ":"), isToken(line[..<colon]) else { return .rejected(.badRequest) }
            headers.append(HTTPHeader(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)))
        }
        return .complete(RequestHead(method: String(parts[0]), target: String(parts[1]), headers: headers))
    }

    /// The answer to a complete request head, and how it ends the attempt (nil: it does
    /// not, and the listener keeps waiting). The order of checks is the point: nothing
    /// is acted on, `error=` included, before `state` matches.
    public static func respond(to head: RequestHead, expecting: CallbackExpectation) -> (ListenerResponse, CallbackOutcome?) {
        guard head.method == "GET" else { return (.methodNotAllowed, nil) }
        guard head.target.hasPrefix("/") else { return (.misdirected, nil) }  // absolute-form, "*"
        let hosts = head.headers.filter { $0.name.caseInsensitiveCompare("Host") == .orderedSame }
        guard hosts.count == 1, hosts[0].value.lowercased() == expecting.host.lowercased() else { return (.misdirected, nil) }
        let (path, query) = split(head.target)
        guard path == expecting.path else { return (.notFound, nil) }
        return evaluate(query: query, state: expecting.state)
    }

    /// Why a pasted URL cannot be used; the attempt keeps waiting for a better one.
    public enum PastedURLProblem: Error, Equatable, CustomStringConvertible {
        case notTheRedirect(expected: String)
        case notThisSignIn

        public var description: String {
            switch self {
            case let .notTheRedirect(expected): return "that is not the address the sign-in returns to (it starts with \(expected)?)"
            case .notThisSignIn: return "that address is not from the current sign-in (a different attempt?)"
            }
        }
    }

    /// The URL a browser ended on, pasted by the user on a machine without a browser:
    /// checked exactly like a request to the listener.
    public static func evaluate(pastedURL: String, expecting: CallbackExpectation) -> Result<CallbackOutcome, PastedURLProblem> {
        let trimmed = pastedURL.trimmingCharacters(in: .whitespacesAndNewlines)
        let prefix = "http://" + expecting.host
        let expectedStart = prefix + expecting.path
        guard trimmed.lowercased().hasPrefix(prefix.lowercased()) else { return .failure(.notTheRedirect(expected: expectedStart)) }
        let target = String(trimmed.dropFirst(prefix.count))
        let (path, query) = split(target)
        guard path == expecting.path else { return .failure(.notTheRedirect(expected: expectedStart)) }
        let (_, outcome) = evaluate(query: query, state: expecting.state)
        guard let outcome else { return .failure(.notThisSignIn) }
        return .success(outcome)
    }

    private static func evaluate(query: Substring, state expected: String) -> (ListenerResponse, CallbackOutcome?) {
        var fields: [(String, String)] = []
        var undecodable = false
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = FormEncoding.unescape(parts[0]), let value = FormEncoding.unescape(parts.count > 1 ? parts[1] : "") else {
                undecodable = true
                continue
            }
            fields.append((name, value))
        }
        let states = fields.filter { $0.0 == "state" }.map(\.1)
        guard states.contains(where: { ConstantTime.equals($0, expected) }) else { return (.wrongState, nil) }
        // From here the request is this attempt's answer: whatever is wrong ends it.
        let codes = fields.filter { $0.0 == "code" }.map(\.1)
        if undecodable { return (.unusable, .malformed("the callback's parameters are not validly encoded")) }
        if states.count > 1 || codes.count > 1 { return (.unusable, .malformed("the callback repeats its parameters")) }
        if let error = fields.first(where: { $0.0 == "error" })?.1 {
            let description = fields.first { $0.0 == "error_description" }?.1
            return (.cancelled, .error(code: error, description: description))
        }
        guard let code = codes.first, !code.isEmpty else { return (.unusable, .malformed("the callback carries no authorization code")) }
        return (.received, .code(code))
    }

    private static func split(_ target: String) -> (path: String, query: Substring) {
        guard let question = target.firstIndex(of: "?") else { return (target, "") }
        var query = target[target.index(after: question)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        return (String(target[..<question]), query)
    }

    /// Printable ASCII (and tabs) only: a request line or header with anything else is
    /// refused, which also refuses TLS hellos and binary garbage.
    private static func text(_ bytes: ArraySlice<UInt8>) -> String? {
        var slice = bytes
        if slice.last == 0x0D { slice = slice.dropLast() }
        guard slice.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x09 }) else { return nil }
        return String(decoding: slice, as: UTF8.self)
    }

    private static func isToken(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
