import Foundation

/// An LLM behind any OpenAI-compatible `/chat/completions` endpoint (Ollama, llama.cpp's
/// server, vLLM, OpenAI, OpenRouter, Gemini's compatibility endpoint…), streamed.
public struct OpenAICompatibleAssistant: Assistant {
    public let baseURL: String
    public let model: String
    /// Read from the environment variable `[assistant] api_key_env` names; never stored.
    private let apiKey: String?
    private let http: HTTPClient
    /// Seconds without any byte before a stream counts as stalled.
    public var stallTimeout: TimeInterval = 60

    public var name: String { model.isEmpty ? "openai" : model }

    public init(baseURL: String, model: String, apiKey: String?, http: HTTPClient) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.http = http
    }

    static let systemPrompt = """
        You are lume-tui, an assistant in the user's terminal. Be concise; use Markdown. \
        You cannot read or change the user's Gmail, Calendar, Tasks or Keep in this conversation: \
        if asked to, say so instead of pretending.
        """

    public func reply(to request: AssistantRequest) -> AsyncThrowingStream<AssistantEvent, Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await stream(request, into: continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func stream(_ request: AssistantRequest, into continuation: AsyncThrowingStream<AssistantEvent, Error>.Continuation) async throws {
        guard !model.isEmpty else {
            throw AssistantFailure("no model is configured: set `model` under [assistant] (for example \"llama3.2\" for Ollama)")
        }
        var messages: [JSONValue] = [.object(["role": .string("system"), "content": .string(Self.systemPrompt)])]
        for message in request.history where message.role != .system && !message.content.isEmpty {
            messages.append(.object(["role": .string(message.role.rawValue), "content": .string(message.content)]))
        }
        messages.append(.object(["role": .string("user"), "content": .string(request.message.content)]))
        let body: JSONValue = .object([
            "model": .string(model), "messages": .array(messages), "stream": .bool(true),
            "stream_options": .object(["include_usage": .bool(true)]),
        ])
        var headers = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "text/event-stream")]
        if let apiKey { headers.append(.bearer(apiKey)) }
        let state = StreamState()
        continuation.yield(.metadata(["model": .string(model)]))
        let response: HTTPResponse
        do {
            response = try await http.stream(
                HTTPRequest(method: "POST", url: baseURL + "/chat/completions", headers: headers, body: Data(body.text.utf8)),
                stallTimeout: stallTimeout
            ) { data in
                for event in state.feed(data) { continuation.yield(event) }
            }
        } catch let error as HTTPError {
            if error == .cancelled { throw CancellationError() }
            if case .transport = error, state.receivedAny {
                throw AssistantFailure("the reply stream was cut off before it finished (\(error)); what arrived is kept")
            }
            throw AssistantFailure(Self.describe(error, baseURL: baseURL))
        }
        guard response.status == 200 else {
            throw AssistantFailure(Self.describe(status: response.status, body: state.rawPrefix, retryAfter: response.header("Retry-After"), model: model))
        }
        if let problem = state.problem { throw AssistantFailure(problem) }
        if !state.done {
            throw AssistantFailure("the reply stream was cut off before it finished; what arrived is kept")
        }
    }

    static func describe(_ error: HTTPError, baseURL: String) -> String {
        switch error {
        case .cannotConnect, .cannotResolve:
            return "cannot reach the LLM endpoint at \(baseURL) (\(error)); is the server running? The built-in assistant still works with `provider = \"builtin\"`"
        case .timedOut:
            return "the LLM endpoint at \(baseURL) stopped sending (\(error)); what arrived is kept"
        default:
            return "the LLM endpoint failed: \(error)"
        }
    }

    static func describe(status: Int, body: Data, retryAfter: String?, model: String) -> String {
        let json = JSONValue.parse(String(decoding: body, as: UTF8.self))
        let detail = json["error"]?["message"]?.stringValue ?? json["error"]?.stringValue ?? json["message"]?.stringValue
        let suffix = detail.map { ": \($0)" } ?? ""
        switch status {
        case 401, 403: return "the LLM endpoint refused the API key (HTTP \(status))\(suffix); check the variable `api_key_env` names"
        case 404: return "the LLM endpoint does not know model \"\(model)\" or the path (HTTP 404)\(suffix)"
        case 429: return "the LLM endpoint is rate limiting (HTTP 429)\(retryAfter.map { "; it asks to wait \($0) s" } ?? "")\(suffix)"
        case 500...599: return "the LLM endpoint failed (HTTP \(status))\(suffix)"
        default: return "the LLM endpoint answered HTTP \(status)\(suffix)"
        }
    }

    /// The stream being read, shared with the HTTP client's data callback.
    final class StreamState: @unchecked Sendable {
        private let lock = NSLock()
        private var parser = ServerSentEventParser()
        private(set) var done = false
        private(set) var problem: String?
        /// The start of the body, kept to explain an error status.
        private(set) var rawPrefix = Data()
        var receivedAny: Bool { lock.withLock { !rawPrefix.isEmpty } }

        func feed(_ data: Data) -> [AssistantEvent] {
            lock.lock()
            defer { lock.unlock() }
            if rawPrefix.count < 65536 { rawPrefix.append(data.prefix(65536 - rawPrefix.count)) }
            var events: [AssistantEvent] = []
            for event in parser.feed(data) {
                if event.data == "[DONE]" {
                    done = true
                    continue
                }
                let json = JSONValue.parse(event.data)
                guard case .object = json else {
                    problem = "the LLM endpoint sent something that is not JSON in its stream"
                    continue
                }
                if let error = json["error"] {
                    problem = "the LLM endpoint reported an error mid-reply: \(error["message"]?.stringValue ?? error.text)"
                    continue
                }
                if let choice = json["choices"]?.arrayValue?.first, let text = choice["delta"]?["content"]?.stringValue, !text.isEmpty {
                    events.append(.text(text))
                }
                if let usage = json["usage"], case .object = usage {
                    events.append(.metadata(["usage": usage]))
                }
            }
            return events
        }
    }
}
