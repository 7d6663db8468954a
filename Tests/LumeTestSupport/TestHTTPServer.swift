import Foundation
import LumeKit
#if canImport(Glibc)
import Glibc
#endif

/// A request as a test server sees it.
public struct TestHTTPRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: [HTTPHeader]
    public var body: Data

    public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }

    public var query: [String: String] {
        guard let question = target.firstIndex(of: "?") else { return [:] }
        return Dictionary(FormEncoding.decode(target[target.index(after: question)...]) ?? [], uniquingKeysWith: { first, _ in first })
    }

    /// All values of a query parameter, in order (to see duplicates).
    public func queryValues(_ name: String) -> [String] {
        guard let question = target.firstIndex(of: "?") else { return [] }
        return (FormEncoding.decode(target[target.index(after: question)...]) ?? []).filter { $0.0 == name }.map(\.1)
    }

    /// The body as form fields (application/x-www-form-urlencoded).
    public var form: [String: String] {
        Dictionary(FormEncoding.decode(Substring(String(decoding: body, as: UTF8.self))) ?? [], uniquingKeysWith: { first, _ in first })
    }

    public var json: JSONValue { JSONValue.parse(String(decoding: body, as: UTF8.self)) }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public var bearerToken: String? {
        guard let value = header("Authorization"), value.hasPrefix("Bearer ") else { return nil }
        return String(value.dropFirst(7))
    }
}

public struct TestHTTPResponse: Sendable {
    public enum Body: Sendable {
        case data(Data)
        /// Written piece by piece with pauses (server-sent events); `cut` drops the
        /// connection after the last piece without finishing the response.
        case stream([(delay: TimeInterval, data: Data)], cut: Bool)
    }

    public var status: Int
    public var headers: [HTTPHeader]
    public var body: Body

    public init(status: Int, headers: [HTTPHeader] = [], body: Body = .data(Data())) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func json(_ status: Int = 200, _ value: JSONValue, headers: [HTTPHeader] = []) -> TestHTTPResponse {
        TestHTTPResponse(status: status, headers: headers + [HTTPHeader("Content-Type", "application/json; charset=utf-8")], body: .data(Data(value.text.utf8)))
    }

    public static func text(_ status: Int, _ text: String) -> TestHTTPResponse {
        TestHTTPResponse(status: status, headers: [HTTPHeader("Content-Type", "text/plain; charset=utf-8")], body: .data(Data(text.utf8)))
    }

    public static func redirect(_ location: String) -> TestHTTPResponse {
        TestHTTPResponse(status: 302, headers: [HTTPHeader("Location", location)])
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 for tests: our own stand-in for Google and LLM
/// endpoints, speaking the real protocol over real sockets. One thread per connection;
/// every response closes its connection.
public final class TestHTTPServer: @unchecked Sendable {
    public typealias Handler = @Sendable (TestHTTPRequest) -> TestHTTPResponse

    public let port: Int
    private let fd: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var stopped = false

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public init(handler: @escaping Handler) throws {
        self.handler = handler
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, listen(fd, 64) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.fd = fd
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    public func stop() {
        lock.lock()
        let wasStopped = stopped
        stopped = true
        lock.unlock()
        if !wasStopped {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func acceptLoop() {
        while !isStopped {
            let client = accept(fd, nil, nil)
            guard client >= 0 else {
                if isStopped { return }
                continue
            }
            Thread.detachNewThread { [self] in serve(client) }
        }
    }

    private func serve(_ client: Int32) {
        defer { close(client) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        var headEnd: Int?
        while headEnd == nil {
            let count = read(client, &chunk, chunk.count)
            guard count > 0 else { return }
            buffer += chunk[0..<count]
            headEnd = Self.find([13, 10, 13, 10], in: buffer)
        }
        let head = String(decoding: buffer[0..<headEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return }
        let headers = head.dropFirst().compactMap { line -> HTTPHeader? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return HTTPHeader(String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces))
        }
        let length = Int(headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0") ?? 0
        var body = Array(buffer[(headEnd! + 4)...])
        while body.count < length {
            let count = read(client, &chunk, chunk.count)
            guard count > 0 else { break }
            body += chunk[0..<count]
        }
        let request = TestHTTPRequest(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: Data(body))
        let response = handler(request)
        var text = "HTTP/1.1 \(response.status) \(Self.reason(response.status))\r\n"
        for header in response.headers { text += "\(header.name): \(header.value)\r\n" }
        switch response.body {
        case let .data(data):
            text += "Content-Length: \(data.count)\r\nConnection: close\r\n\r\n"
            send(client, Array(text.utf8) + Array(data))
        case let .stream(pieces, cut):
            text += "Connection: close\r\n\r\n"
            send(client, Array(text.utf8))
            for piece in pieces {
                if piece.delay > 0 { Thread.sleep(forTimeInterval: piece.delay) }
                send(client, Array(piece.data))
            }
            if cut {
                var linger = linger(l_onoff: 1, l_linger: 0)
                setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<linger>.size))
            }
        }
    }

    private func send(_ client: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            sent += written
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<index + needle.count]) == needle { return index }
        }
        return nil
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 204: "No Content"
        case 302: "Found"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}

/// A raw TCP client for poking servers with arbitrary bytes.
public enum RawSocket {
    public struct Failure: Error {}

    /// Connects to 127.0.0.1:`port`; nil when refused.
    public static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if result != 0 {
            close(fd)
            return nil
        }
        return fd
    }

    public static func write(_ fd: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let written = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            sent += written
        }
    }

    /// Reads until the peer closes or `timeout` passes; returns what arrived and whether
    /// the peer closed.
    public static func readAll(_ fd: Int32, timeout: TimeInterval) -> (bytes: [UInt8], closed: Bool) {
        var result: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 50) > 0 else { continue }
            let count = read(fd, &chunk, chunk.count)
            if count <= 0 { return (result, true) }
            result += chunk[0..<count]
        }
        return (result, false)
    }

    /// Sends `bytes` on a new connection and returns the response text (nil if refused).
    public static func exchange(port: Int, _ text: String, timeout: TimeInterval = 5) -> String? {
        guard let fd = connect(port: port) else { return nil }
        defer { close(fd) }
        write(fd, Array(text.utf8))
        return String(decoding: readAll(fd, timeout: timeout).bytes, as: UTF8.self)
    }
}

/// A port on 127.0.0.1 where nothing listens, held for the test's lifetime so no other
/// server can take it: connecting is refused at once. (Stopping a server instead is racy:
/// a parallel test may bind the freed port.)
public final class ClosedPort: @unchecked Sendable {
    public let port: Int
    private let fd: Int32

    public init() {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    deinit { close(fd) }
}
