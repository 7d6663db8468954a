import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one-shot HTTP listener that catches the browser's redirect: the only socket code in
/// lume-tui.
///
/// It binds a loopback IP literal (never a wildcard) before the browser opens, serves many
/// connections at once from one thread with `poll`, bounds what each may send and for how
/// long, and closes for good after the first request that ends the attempt. What to answer
/// is decided by `CallbackRequest`; this type only moves bytes.
///
/// A local process can open idle connections to hold the listener busy. A browser sends
/// its request the moment it connects, so connections get a short deadline for their
/// request head, and when every slot is taken the oldest idle one is dropped to make room:
/// a flood of idle sockets cannot keep the real callback out.
public final class LoopbackListener: @unchecked Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case cannotListen(host: String, port: Int, reason: String)

        public var description: String {
            switch self {
            case let .cannotListen(host, port, reason):
                return "cannot listen on \(host):\(port) for the sign-in redirect: \(reason)"
                    + (port != 0 ? " (set [oauth] port = 0 to use any free port)" : "")
            }
        }
    }

    /// How a wait ended.
    public enum Result: Equatable, Sendable {
        case outcome(CallbackOutcome)
        case timedOut
        case stopped
    }

    public let host: String
    public let port: Int
    /// Connections served at once; a new one beyond this replaces the oldest idle one.
    public static let maxConnections = 64
    /// Seconds a connection has to deliver its request head.
    public let headerDeadline: TimeInterval

    private let socketFD: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let lock = NSLock()
    private var result: Result?
    private var closed = false

    /// Binds and listens on `host` (a loopback literal) and `port` (0: any free port; the
    /// real one is read back).
    public init(host: String, port: Int, headerDeadline: TimeInterval = 3) throws {
        self.headerDeadline = headerDeadline
        guard LoopbackAddress.isLoopbackLiteral(host) else {
            throw Failure.cannotListen(host: host, port: port, reason: "not a loopback address")
        }
        let ipv6 = host.contains(":")
        let fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.cannotListen(host: host, port: port, reason: String(cString: strerror(errno))) }
        // SO_REUSEADDR lets a fixed port be reused right after a previous attempt (TIME_WAIT);
        // it never lets two listeners share the port. SO_REUSEPORT, which would, is not set.
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var bound: Int32
        if ipv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET6, host, &address.sin6_addr)
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) } }
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            inet_pton(AF_INET, host, &address.sin_addr)
            bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw Failure.cannotListen(host: host, port: port, reason: reason)
        }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let actualPort: UInt16 = withUnsafePointer(to: &storage) { pointer in
            ipv6 ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
                 : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
        }
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(fd)
            throw Failure.cannotListen(host: host, port: port, reason: "cannot create a wake-up pipe")
        }
        for end in pipeFDs { Self.setFlags(end, nonblocking: true) }
        self.host = host
        self.port = Int(actualPort)
        socketFD = fd
        wakeRead = pipeFDs[0]
        wakeWrite = pipeFDs[1]
    }

    deinit { closeEverything() }

    /// "127.0.0.1:PORT" (or "[::1]:PORT"): the authority of the redirect URI, and the Host
    /// header the callback must carry.
    public var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public func redirectURI(path: String) -> String { "http://\(authority)\(path)" }

    /// Serves requests until one ends the attempt, `timeout` passes, or `stop`/`finish`
    /// is called. The socket is closed on every way out.
    public func waitForCallback(expecting expectation: CallbackExpectation, timeout: TimeInterval) async -> Result {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { [self] in
                    serve(expectation, deadline: Date().addingTimeInterval(timeout))
                    continuation.resume(returning: currentResult ?? .stopped)
                }
            }
        } onCancel: {
            stop()
        }
    }

    /// Ends the wait as `stopped` (cancel).
    public func stop() { settle(.stopped) }

    /// Ends the wait with an outcome found elsewhere (a pasted URL).
    public func finish(with outcome: CallbackOutcome) { settle(.outcome(outcome)) }

    private var currentResult: Result? {
        lock.lock()
        defer { lock.unlock() }
        return result
    }

    /// The first result wins; the serving loop is woken to close up.
    private func settle(_ value: Result) {
        lock.lock()
        if result == nil { result = value }
        lock.unlock()
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private struct Connection {
        let fd: Int32
        var bytes: [UInt8] = []
        let deadline: Date
    }

    private func serve(_ expectation: CallbackExpectation, deadline: Date) {
        var connections: [Connection] = []
        defer {
            for connection in connections { close(connection.fd) }
            closeEverything()
        }
        while currentResult == nil {
            let now = Date()
            if now >= deadline {
                settle(.timedOut)
                break
            }
            // Connections too slow to send their request head are dropped without a word.
            connections.removeAll { connection in
                guard now >= connection.deadline else { return false }
                close(connection.fd)
                return true
            }
            var fds = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: socketFD, events: Int16(POLLIN), revents: 0)]
            fds += connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let soonest = ([deadline] + connections.map(\.deadline)).min()!
            let wait = Int32(max(1, min(1000, soonest.timeIntervalSince(now) * 1000)))
            guard poll(&fds, nfds_t(fds.count), wait) >= 0 || errno == EINTR else { break }
            if fds[0].revents != 0 { break }
            let polled = connections.count
            var finished: [Int32] = []
            for index in 0..<polled where fds[2 + index].revents != 0 {
                if let outcome = read(&connections[index], expectation) {
                    finished.append(connections[index].fd)
                    if case let .some(value) = outcome {
                        settle(.outcome(value))
                    }
                }
            }
            connections.removeAll { finished.contains($0.fd) }
            if fds[1].revents != 0 {
                let client = accept(socketFD, nil, nil)
                if client >= 0 {
                    if connections.count >= Self.maxConnections {
                        // Full: the oldest connection that has sent nothing makes room.
                        let oldest = connections.firstIndex { $0.bytes.isEmpty } ?? 0
                        close(connections.remove(at: oldest).fd)
                    }
                    Self.setFlags(client, nonblocking: true)
                    connections.append(Connection(fd: client, deadline: Date().addingTimeInterval(headerDeadline)))
                }
            }
        }
    }

    /// Reads what a connection sent; when its head is complete (or refused), answers and
    /// closes it. Returns nil while more bytes are awaited, `.some(nil)` when the
    /// connection is done without ending the attempt, `.some(outcome)` when it ends it.
    private func read(_ connection: inout Connection, _ expectation: CallbackExpectation) -> CallbackOutcome?? {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = Glibc.read(connection.fd, &chunk, chunk.count)
        if count < 0 && (errno == EAGAIN || errno == EINTR) { return nil }
        if count <= 0 {
            close(connection.fd)
            return .some(nil)
        }
        connection.bytes += chunk[0..<count]
        switch CallbackRequest.parseHead(connection.bytes) {
        case .incomplete:
            return nil
        case let .rejected(response):
            answer(connection.fd, response)
            return .some(nil)
        case let .complete(head):
            let (response, outcome) = CallbackRequest.respond(to: head, expecting: expectation)
            answer(connection.fd, response)
            return .some(outcome)
        }
    }

    private func answer(_ fd: Int32, _ response: ListenerResponse) {
        let bytes = response.bytes
        var sent = 0
        var attempts = 0
        while sent < bytes.count && attempts < 100 {
            let written = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if written > 0 {
                sent += written
            } else if errno == EAGAIN || errno == EINTR {
                attempts += 1
                usleep(1000)
            } else {
                break
            }
        }
        shutdown(fd, Int32(SHUT_WR))
        close(fd)
    }

    /// Close-on-exec (so a browser we launch inherits no socket) and, if asked, non-blocking.
    private static func setFlags(_ fd: Int32, nonblocking: Bool) {
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
        if nonblocking { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    private func closeEverything() {
        lock.lock()
        defer { lock.unlock() }
        guard !closed else { return }
        closed = true
        close(socketFD)
        close(wakeRead)
        close(wakeWrite)
    }
}
