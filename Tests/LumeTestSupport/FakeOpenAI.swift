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
        /// One turn per request, in order (the last one repeats): how a model that calls
        /// tools answers, round after round.
        case script([Turn])
    }

    public struct ToolCall: Sendable {
        public var id: String
        public var name: String
        public var arguments: String
        public init(id: String, name: String, arguments: String) {
            self.id = id
            self.name = name
            self.arguments = arguments
        }
    }

    public enum Turn: Sendable {
        case text([String])
        /// Tool calls as OpenAI streams them: the first chunk of each call has its index,
        /// id and the start of its name; the rest of the name and the arguments follow in
        /// pieces, the calls' pieces interleaved; then `finish_reason: "tool_calls"`.
        case toolCalls([ToolCall])
    }

    private let lock = NSLock()
    private var server: TestHTTPServer!
    private var _behaviour: Behaviour = .stream(["Hello", " there", "!"])
    private var _requests: [TestHTTPRequest] = []
    private var turnsServed = 0

    public init() throws {
        server = try TestHTTPServer { [unowned self] request in handle(request) }
    }

    public var baseURL: String { server.baseURL + "/v1" }
    public func stop() { server.stop() }

    public var behaviour: Behaviour {
        get { lock.withLock { _behaviour } }
        set { lock.withLock { _behaviour = newValue; turnsServed = 0 } }
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
        case let .script(turns):
            let index = lock.withLock { () -> Int in
                defer { turnsServed += 1 }
                return min(turnsServed, turns.count - 1)
            }
            return script(turns[index], model: model, request: request)
        case .malformed:
            return sse([(0, chunk(model, ["content": .string("Half")])), (0, "data: {not json\n\n")], done: true)
        case let .stream(pieces, delay, usage, done, cut):
            var events: [(TimeInterval, String)] = [(0, chunk(model, ["role": .string("assistant"), "content": .string("")]))]
            for piece in pieces { events.append((delay, chunk(model, ["content": .string(piece)]))) }
            events.append((0, chunk(model, [:], finish: "stop")))
            if usage && request.json["stream_options"]?["include_usage"]?.boolValue == true {
                events.append((0, usageChunk(model, prompt: 12, completion: pieces.count)))
            }
            return sse(events, done: done, cut: cut)
        }
    }

    private func script(_ turn: Turn, model: String, request: TestHTTPRequest) -> TestHTTPResponse {
        var events: [(TimeInterval, String)] = [(0, chunk(model, ["role": .string("assistant"), "content": .string("")]))]
        let finish: String
        switch turn {
        case let .text(pieces):
            for piece in pieces { events.append((0.02, chunk(model, ["content": .string(piece)]))) }
            finish = "stop"
        case let .toolCalls(calls):
            var pieces: [[(Int, [String: JSONValue])]] = []
            for (index, call) in calls.enumerated() {
                let half = call.name.index(call.name.startIndex, offsetBy: call.name.count / 2)
                var own: [(Int, [String: JSONValue])] = [
                    (index, ["id": .string(call.id), "type": .string("function"),
                             "function": .object(["name": .string(String(call.name[..<half])), "arguments": .string("")])]),
                    (index, ["function": .object(["name": .string(String(call.name[half...]))])]),
                ]
                let arguments = Array(call.arguments)
                let size = max(1, arguments.count / 3 + 1)
                for start in stride(from: 0, to: arguments.count, by: size) {
                    own.append((index, ["function": .object(["arguments": .string(String(arguments[start..<min(arguments.count, start + size)]))])]))
                }
                pieces.append(own)
            }
            // Round-robin: the first pieces of every call, then the second pieces, …
            for step in 0..<(pieces.map(\.count).max() ?? 0) {
                for own in pieces where step < own.count {
                    var delta = own[step].1
                    delta["index"] = .number(Double(own[step].0))
                    events.append((0.01, chunk(model, ["tool_calls": .array([.object(delta)])])))
                }
            }
            finish = "tool_calls"
        }
        events.append((0, chunk(model, [:], finish: finish)))
        if request.json["stream_options"]?["include_usage"]?.boolValue == true {
            events.append((0, usageChunk(model, prompt: 100, completion: 10)))
        }
        return sse(events, done: true)
    }

    /// The last chunk when usage is asked for: no choices, just the token counts.
    private func usageChunk(_ model: String, prompt: Int, completion: Int) -> String {
        let object: JSONValue = .object([
            "id": .string("chatcmpl-fake"), "object": .string("chat.completion.chunk"), "created": .number(1_795_000_000),
            "model": .string(model), "choices": .array([]),
            "usage": .object(["prompt_tokens": .number(Double(prompt)), "completion_tokens": .number(Double(completion)),
                              "total_tokens": .number(Double(prompt + completion))]),
        ])
        return "data: \(object.text)\n\n"
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
