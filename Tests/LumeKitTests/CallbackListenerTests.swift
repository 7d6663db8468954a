import Foundation
import LumeTestSupport
import Testing
@testable import LumeKit

/// OAUTH.md's hostile-input table, row by row: first on the pure request logic, then on a
/// live listener over real sockets. Plus a fuzz test of the parser.
@Suite struct CallbackListenerTests {
    let expectation = CallbackExpectation(host: "127.0.0.1:5555", path: "/oauth/callback", state: "S3cr3t-state_value")

    func decide(_ raw: String) -> (Int, CallbackOutcome?, keepsWaiting: Bool) {
        switch CallbackRequest.parseHead(Array(raw.utf8)) {
        case .incomplete: return (0, nil, true)
        case let .rejected(response): return (response.status, nil, true)
        case let .complete(head):
            let (response, outcome) = CallbackRequest.respond(to: head, expecting: expectation)
            return (response.status, outcome, outcome == nil)
        }
    }

    func get(_ target: String, host: String = "127.0.0.1:5555") -> String {
        "GET \(target) HTTP/1.1\r\nHost: \(host)\r\nUser-Agent: test\r\n\r\n"
    }

    @Test func validCallbackEndsWithTheCode() {
        let result = decide(get("/oauth/callback?state=S3cr3t-state_value&code=4%2F0abc&scope=openid"))
        #expect(result.0 == 200)
        #expect(result.1 == .code("4/0abc"))
    }

    @Test func garbageAndTLSAreRefused() {
        #expect(decide("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\n").0 == 400)
        #expect(decide("hello there\r\n\r\n").0 == 400)
        #expect(decide("GET /oauth/callback HTTP/2.0\r\n\r\n").0 == 400)
        #expect(decide("GET  HTTP/1.1\r\n\r\n").0 == 400)
        #expect(decide("GET /x HTTP/1.1\r\nno colon here\r\n\r\n").0 == 400)
        let tls: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03, 0x0A]
        if case let .rejected(response) = CallbackRequest.parseHead(tls) { #expect(response.status == 400) } else { Issue.record("TLS hello accepted") }
    }

    @Test func oversizedRequestsAreRefused() {
        let longLine = "GET /oauth/callback?state=" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\n"
        #expect(decide(longLine).0 == 414)
        #expect(decide(String(repeating: "a", count: 9000)).0 == 414, "no line end within 8 KiB")
        let manyHeaders = "GET / HTTP/1.1\r\n" + (0..<101).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        #expect(decide(manyHeaders).0 == 431)
        let bigHeaders = "GET / HTTP/1.1\r\n" + (0..<40).map { "X-\($0): \(String(repeating: "z", count: 1000))\r\n" }.joined() + "\r\n"
        #expect(decide(bigHeaders).0 == 431)
    }

    @Test(arguments: ["POST", "OPTIONS", "HEAD", "CONNECT", "PUT", "DELETE"])
    func otherMethodsGet405(method: String) {
        let raw = "\(method) /oauth/callback?state=S3cr3t-state_value&code=x HTTP/1.1\r\nHost: 127.0.0.1:5555\r\nOrigin: http://evil.example\r\n\r\n"
        guard case let .complete(head) = CallbackRequest.parseHead(Array(raw.utf8)) else {
            Issue.record("not parsed")
            return
        }
        let (response, outcome) = CallbackRequest.respond(to: head, expecting: expectation)
        #expect(response.status == 405)
        #expect(outcome == nil, "the attempt keeps waiting")
        let text = String(decoding: response.bytes, as: UTF8.self)
        #expect(text.contains("\r\nAllow: GET\r\n"))
        #expect(!text.lowercased().contains("access-control"), "no CORS headers")
    }

    @Test func wrongHostAndAbsoluteFormAreMisdirected() {
        #expect(decide(get("/oauth/callback?state=S3cr3t-state_value&code=x", host: "evil.example")).0 == 421)
        #expect(decide(get("/oauth/callback?state=S3cr3t-state_value&code=x", host: "localhost:5555")).0 == 421)
        #expect(decide("GET /oauth/callback?state=S3cr3t-state_value&code=x HTTP/1.1\r\n\r\n").0 == 421, "no Host at all")
        #expect(decide("GET /oauth/callback HTTP/1.1\r\nHost: 127.0.0.1:5555\r\nHost: evil\r\n\r\n").0 == 421, "two Hosts")
        #expect(decide("GET http://127.0.0.1:5555/oauth/callback?state=S3cr3t-state_value&code=x HTTP/1.1\r\nHost: 127.0.0.1:5555\r\n\r\n").0 == 421)
        #expect(decide(get("/oauth/callback?state=S3cr3t-state_value&code=x", host: "evil.example")).2)
    }

    @Test func wrongPathsAre404() {
        #expect(decide(get("/")).0 == 404)
        #expect(decide(get("/favicon.ico")).0 == 404)
        #expect(decide(get("/oauth/service-callback?state=S3cr3t-state_value&code=x")).0 == 404)
        #expect(decide(get("/oauth/callback/?state=S3cr3t-state_value&code=x")).0 == 404)
    }

    @Test func stateIsCheckedBeforeAnythingElse() {
        // Wrong or missing state: answered, and the attempt keeps waiting, even with error=.
        for target in ["/oauth/callback?state=wrong&code=x", "/oauth/callback?code=x", "/oauth/callback",
                       "/oauth/callback?error=access_denied", "/oauth/callback?state=S3cr3t-state_valuE&error=access_denied",
                       "/oauth/callback?state=%ZZ&code=x"] {
            let (status, outcome, waiting) = decide(get(target))
            #expect(status == 400, "\(target)")
            #expect(outcome == nil && waiting, "\(target)")
        }
    }

    @Test func providerErrorsEndTheAttemptAsDeclined() {
        let result = decide(get("/oauth/callback?error=access_denied&state=S3cr3t-state_value"))
        #expect(result.0 == 200)
        #expect(result.1 == .error(code: "access_denied", description: nil))
        let scope = decide(get("/oauth/callback?state=S3cr3t-state_value&error=invalid_scope&error_description=Some%20scope"))
        #expect(scope.1 == .error(code: "invalid_scope", description: "Some scope"))
    }

    @Test func unusableCallbacksWithTheRightStateEndAsErrors() {
        for target in ["/oauth/callback?state=S3cr3t-state_value", "/oauth/callback?state=S3cr3t-state_value&code=",
                       "/oauth/callback?state=S3cr3t-state_value&code=a&code=b",
                       "/oauth/callback?state=S3cr3t-state_value&state=S3cr3t-state_value&code=a",
                       "/oauth/callback?state=S3cr3t-state_value&code=%E0%A4"] {
            let (status, outcome, _) = decide(get(target))
            #expect(status == 400, "\(target)")
            if case .malformed? = outcome {} else { Issue.record("\(target) should end as an error, got \(String(describing: outcome))") }
        }
    }

    @Test func everyAnswerCarriesTheSecurityHeaders() {
        for response in [ListenerResponse.received, .cancelled, .badRequest, .wrongState, .notFound, .methodNotAllowed, .misdirected, .uriTooLong, .headersTooLarge] {
            let text = String(decoding: response.bytes, as: UTF8.self)
            for header in ["Content-Type: text/html; charset=utf-8", "Cache-Control: no-store", "Referrer-Policy: no-referrer",
                           "Content-Security-Policy: default-src 'none'", "X-Content-Type-Options: nosniff", "Connection: close"] {
                #expect(text.contains("\r\n\(header)\r\n"), "\(response.status) lacks \(header)")
            }
            #expect(!text.contains("<script"))
        }
    }

    @Test func pastedURLsAreCheckedLikeCallbacks() {
        #expect(CallbackRequest.evaluate(pastedURL: "  http://127.0.0.1:5555/oauth/callback?state=S3cr3t-state_value&code=abc \n", expecting: expectation) == .success(.code("abc")))
        #expect(CallbackRequest.evaluate(pastedURL: "http://127.0.0.1:5555/oauth/callback?state=nope&code=abc", expecting: expectation) == .failure(.notThisSignIn))
        #expect(CallbackRequest.evaluate(pastedURL: "http://127.0.0.1:9999/oauth/callback?state=S3cr3t-state_value&code=abc", expecting: expectation)
                == .failure(.notTheRedirect(expected: "http://127.0.0.1:5555/oauth/callback")))
        #expect(CallbackRequest.evaluate(pastedURL: "https://accounts.google.com/o/oauth2/v2/auth?state=S3cr3t-state_value", expecting: expectation)
                == .failure(.notTheRedirect(expected: "http://127.0.0.1:5555/oauth/callback")))
        #expect(CallbackRequest.evaluate(pastedURL: "http://127.0.0.1:5555/oauth/callback?state=S3cr3t-state_value&error=access_denied", expecting: expectation)
                == .success(.error(code: "access_denied", description: nil)))
    }

    /// Random and mutated requests: the parser never crashes or hangs, and only a request
    /// carrying the right state can end the attempt.
    @Test func fuzzTheParser() {
        var random = SystemRandomNumberGenerator()
        let valid = Array(get("/oauth/callback?state=S3cr3t-state_value&code=abc").utf8)
        for round in 0..<20_000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<Int.random(in: 0...600, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            case 1:
                bytes = valid
                for _ in 0..<Int.random(in: 1...6, using: &random) {
                    let position = Int.random(in: 0..<bytes.count, using: &random)
                    switch Int.random(in: 0..<3, using: &random) {
                    case 0: bytes[position] = UInt8.random(in: 0...255, using: &random)
                    case 1: bytes.remove(at: position)
                    default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                    }
                    if bytes.isEmpty { break }
                }
            default:
                bytes = valid + (0..<Int.random(in: 0...50, using: &random)).map { _ in [0x0D, 0x0A, 0x3A, 0x20, 0x41][Int.random(in: 0..<5, using: &random)] }
            }
            switch CallbackRequest.parseHead(bytes) {
            case .incomplete, .rejected:
                continue
            case let .complete(head):
                let (response, outcome) = CallbackRequest.respond(to: head, expecting: expectation)
                #expect((200...431).contains(response.status))
                if outcome != nil {
                    #expect(head.target.contains("S3cr3t-state_value"), "ended by a request without the state: \(head.target)")
                }
            }
        }
    }
}

/// The listener over real sockets: the same table, plus slow clients, concurrency, one
/// callback only, and the port freed on every way out.
@Suite(.serialized) struct LiveListenerTests {
    func start(headerDeadline: TimeInterval = 10) throws -> (LoopbackListener, CallbackExpectation) {
        let listener = try LoopbackListener(host: "127.0.0.1", port: 0, headerDeadline: headerDeadline)
        return (listener, CallbackExpectation(host: listener.authority, path: "/oauth/callback", state: "live-state"))
    }

    /// A request from a client on a thread of its own. The socket calls block, and a blocked
    /// test would hold one of the few threads the waiting listener's task needs to start:
    /// with the rest of the suite running, the listener could not answer in time.
    func request(_ port: Int, _ target: String, method: String = "GET", host: String? = nil) async -> String {
        await exchange(port: port, "\(method) \(target) HTTP/1.1\r\nHost: \(host ?? "127.0.0.1:\(port)")\r\n\r\n") ?? "refused"
    }

    func exchange(port: Int, _ text: String, timeout: TimeInterval = 5) async -> String? {
        await onOwnThread { RawSocket.exchange(port: port, text, timeout: timeout) }
    }

    func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: work()) }
        }
    }

    @Test func bindsLoopbackOnlyAndReadsThePortBack() throws {
        let (listener, _) = try start()
        #expect(listener.port > 0)
        #expect(listener.redirectURI(path: "/oauth/callback") == "http://127.0.0.1:\(listener.port)/oauth/callback")
        #expect(throws: LoopbackListener.Failure.self) { try LoopbackListener(host: "0.0.0.0", port: 0) }
        #expect(throws: LoopbackListener.Failure.self) { try LoopbackListener(host: "localhost", port: 0) }
        // The port is taken while it listens: a second listener cannot share it.
        #expect(throws: LoopbackListener.Failure.self) { try LoopbackListener(host: "127.0.0.1", port: listener.port) }
        listener.stop()
    }

    @Test func hostileRequestsAreAnsweredAndTheAttemptKeepsWaiting() async throws {
        let (listener, expectation) = try start()
        let port = listener.port
        let waiting = Task { await listener.waitForCallback(expecting: expectation, timeout: 30) }

        // Idle pre-connections (browsers open speculative sockets) do not block anyone.
        let idle = (0..<3).compactMap { _ in RawSocket.connect(port: port) }
        defer { idle.forEach { close($0) } }

        #expect(await exchange(port: port, "\u{16}\u{03}\u{01}garbage\r\n\r\n")?.hasPrefix("HTTP/1.1 400") == true)
        #expect(await exchange(port: port, "GET /?" + String(repeating: "x", count: 9000) + " HTTP/1.1\r\n")?.hasPrefix("HTTP/1.1 414") == true)
        let bigHeaders = "GET / HTTP/1.1\r\n" + (0..<120).map { "X-\($0): y\r\n" }.joined() + "\r\n"
        #expect(await exchange(port: port, bigHeaders)?.hasPrefix("HTTP/1.1 431") == true)
        for method in ["POST", "OPTIONS", "HEAD", "CONNECT"] {
            #expect(await request(port, "/oauth/callback?state=live-state&code=x", method: method).hasPrefix("HTTP/1.1 405"), "\(method)")
        }
        #expect(await request(port, "/oauth/callback?state=live-state&code=x", host: "evil.example").hasPrefix("HTTP/1.1 421"))
        #expect(await exchange(port: port, "GET http://evil/oauth/callback?state=live-state&code=x HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n\r\n")?.hasPrefix("HTTP/1.1 421") == true)
        #expect(await request(port, "/").hasPrefix("HTTP/1.1 404"))
        #expect(await request(port, "/favicon.ico").hasPrefix("HTTP/1.1 404"))
        #expect(await request(port, "/oauth/callback?state=wrong&code=x").hasPrefix("HTTP/1.1 400"))
        #expect(await request(port, "/oauth/callback?code=x").hasPrefix("HTTP/1.1 400"))
        #expect(await request(port, "/oauth/callback?error=access_denied").hasPrefix("HTTP/1.1 400"))

        // Still waiting: the real callback is accepted now.
        let answer = await request(port, "/oauth/callback?state=live-state&code=the-code")
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        #expect(answer.contains("Cache-Control: no-store"))
        #expect(await waiting.value == .outcome(.code("the-code")))
        // Closed for good: a reload or a second tab gets nothing.
        #expect(RawSocket.connect(port: port) == nil)
    }

    @Test func slowClientsAreCutOffAtTheHeaderDeadline() async throws {
        let (listener, expectation) = try start(headerDeadline: 0.5)
        let waiting = Task { await listener.waitForCallback(expecting: expectation, timeout: 30) }
        let slow = try #require(RawSocket.connect(port: listener.port))
        defer { close(slow) }
        RawSocket.write(slow, Array("GET /oauth/callback?state=live-state".utf8))
        let (bytes, closed) = await onOwnThread { RawSocket.readAll(slow, timeout: 3) }
        #expect(closed, "the slow connection is closed")
        #expect(bytes.isEmpty, "without an answer")
        // The attempt itself is unaffected.
        #expect(await request(listener.port, "/oauth/callback?state=live-state&code=c").hasPrefix("HTTP/1.1 200"))
        #expect(await waiting.value == .outcome(.code("c")))
    }

    /// A local process holding many idle connections cannot keep the browser's callback
    /// out: the oldest idle one gives way, and the callback is answered at once.
    @Test func aFloodOfIdleConnectionsCannotBlockTheCallback() async throws {
        let (listener, expectation) = try start(headerDeadline: 30)
        let waiting = Task { await listener.waitForCallback(expecting: expectation, timeout: 60) }
        let idle = (0..<(LoopbackListener.maxConnections * 2)).compactMap { _ in RawSocket.connect(port: listener.port) }
        defer { idle.forEach { close($0) } }
        #expect(idle.count == LoopbackListener.maxConnections * 2)
        let started = Date()
        let answer = await exchange(port: listener.port, "GET /oauth/callback?state=live-state&code=c HTTP/1.1\r\nHost: 127.0.0.1:\(listener.port)\r\n\r\n", timeout: 10)
        #expect(answer?.hasPrefix("HTTP/1.1 200") == true)
        #expect(Date().timeIntervalSince(started) < 10, "answered without waiting for the idle ones' deadline")
        #expect(await waiting.value == .outcome(.code("c")))
    }

    @Test func deniedConsentEndsTheWait() async throws {
        let (listener, expectation) = try start()
        let waiting = Task { await listener.waitForCallback(expecting: expectation, timeout: 30) }
        let answer = await request(listener.port, "/oauth/callback?error=access_denied&state=live-state")
        #expect(answer.hasPrefix("HTTP/1.1 200"))
        #expect(answer.contains("cancelled"))
        #expect(await waiting.value == .outcome(.error(code: "access_denied", description: nil)))
    }

    @Test func timeoutAndCancelFreeThePort() async throws {
        let (listener, expectation) = try start()
        let port = listener.port
        #expect(await listener.waitForCallback(expecting: expectation, timeout: 0.3) == .timedOut)
        #expect(RawSocket.connect(port: port) == nil, "the port is free after a timeout")
        _ = try LoopbackListener(host: "127.0.0.1", port: port)  // and can be bound again

        let (second, secondExpectation) = try start()
        let task = Task { await second.waitForCallback(expecting: secondExpectation, timeout: 30) }
        task.cancel()
        #expect(await task.value == .stopped)
        #expect(RawSocket.connect(port: second.port) == nil, "the port is free after a cancel")
    }

    @Test func aPastedURLFinishesTheWaitLikeACallback() async throws {
        let (listener, expectation) = try start()
        let waiting = Task { await listener.waitForCallback(expecting: expectation, timeout: 30) }
        listener.finish(with: .code("pasted"))
        #expect(await waiting.value == .outcome(.code("pasted")))
        #expect(RawSocket.connect(port: listener.port) == nil)
    }
}
