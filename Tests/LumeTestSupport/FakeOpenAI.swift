import Foundation
import LumeKit

/// Our own OpenAI-compatible endpoint on 127.0.0.1, streaming chat completions the way
/// OpenAI documents them (server-sent events of `chat.completion.chunk`, usage in the last
/// chunk when asked, then `data: [DONE]`) — and misbehaving on request.
public final class FakeOpenAI: @unchecked Sendable {
    public enum Behaviour: Sendable {
        /// Streams `pieces` of content, `delay` seconds apart.
        case stream([String], delay: TimeInterval = 0, usage: Bool = true, done: Bool = true, cut: Bool = false)
        /// Answers with a status and an OpenAI-style error body.
        case error(status: Int, message: String, headers: [HTTPHeader] = [])
        /// A stream whose second event is not JSON.
        case malformed
    }

    private let lock = NSLock()
    private var server: TestHTTPServer!
    private var _behaviour: Behaviour = .stream(["Hello", " there", "!"])
    private var _requests: [TestHTTPRequest] = []

    public init() throws {
        server = try TestHTTPServer { [unowned self] request in handle(request) }
    }

    public var baseURL: String { server.baseURL + "/v1" }
    public func stop() { server.stop() }

    public var behaviour: Behaviour {
        get { lock.withLock { _behaviour } }
        set { lock.withLock { _behaviour = newValue } }
    }

    public var requests: [TestHTTPRequest] { lock.withLock { _requests } }

    /// The `[assistant]` section pointing lume-tui here.
    public func configSection(model: String = "fake-model") -> String {
        """
        [assistant]
        provider = "openai"
        base_url = "\(baseURL)"
        model = "\(model)"
        api_key_env = "FAKE_OPENAI_KEY"

        """
    }

    private func handle(_ request: TestHTTPRequest) -> TestHTTPResponse {
        lock.withLock { _requests.append(request) }
        guard request.method == "POST", request.path == "/v1/chat/completions" else {
            return .json(404, .object(["error": .object(["message": .string("Unknown path \(request.path)"), "type": .string("invalid_request_error")])]))
        }
        let model = request.json["model"]?.stringValue ?? ""
        switch behaviour {
        case let .error(status, message, headers):
            return .json(status, .object(["error": .object(["message": .string(message), "type": .string("api_error")])]), headers: headers)
        case .malformed:
            return sse([(0, chunk(model, ["content": .string("Half")])), (0, "data: {not json\n\n")], done: true)
        case let .stream(pieces, delay, usage, done, cut):
            var events: [(TimeInterval, String)] = [(0, chunk(model, ["role": .string("assistant"), "content": .string("")]))]
            for piece in pieces { events.append((delay, chunk(model, ["content": .string(piece)]))) }
            events.append((0, chunk(model, [:], finish: "stop")))
            if usage && request.json["stream_options"]?["include_usage"]?.boolValue == true {
                let object: JSONValue = .object([
                    "id": .string("chatcmpl-fake"), "object": .string("chat.completion.chunk"), "created": .number(1_795_000_000),
                    "model": .string(model), "choices": .array([]),
                    "usage": .object(["prompt_tokens": .number(12), "completion_tokens": .number(Double(pieces.count)), "total_tokens": .number(Double(12 + pieces.count))]),
                ])
                events.append((0, "data: \(object.text)\n\n"))
            }
            return sse(events, done: done, cut: cut)
        }
    }

    private func chunk(_ model: String, _ delta: [String: JSONValue], finish: String? = nil) -> String {
        let object: JSONValue = .object([
            "id": .string("chatcmpl-fake"), "object": .string("chat.completion.chunk"), "created": .number(1_795_000_000),
            "model": .string(model),
            "choices": .array([.object(["index": .number(0), "delta": .object(delta), "finish_reason": finish.map(JSONValue.string) ?? .null])]),
        ])
        return "data: \(object.text)\n\n"
    }

    private func sse(_ events: [(TimeInterval, String)], done: Bool, cut: Bool = false) -> TestHTTPResponse {
        var pieces = events.map { (delay: $0.0, data: Data($0.1.utf8)) }
        if done { pieces.append((0, Data("data: [DONE]\n\n".utf8))) }
        return TestHTTPResponse(status: 200, headers: [HTTPHeader("Content-Type", "text/event-stream"), HTTPHeader("Cache-Control", "no-cache")],
                                body: .stream(pieces, cut: cut))
    }
}
