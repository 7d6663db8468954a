import Foundation

/// An LLM behind any OpenAI-compatible `/chat/completions` endpoint (Ollama, llama.cpp's
/// server, vLLM, OpenAI, OpenRouter, Gemini's compatibility endpoint…), streamed.
public struct OpenAICompatibleAssistant: Assistant {
    public let baseURL: String
    public let model: String
    /// Read from the environment variable `[assistant] api_key_env` names; never stored.
    private let apiKey: String?
    private let http: HTTPClient
    /// The Google actions offered as tools; nil when Google is not set up.
    public let tools: AssistantTools?
    /// Roughly how many tokens of earlier conversation to send (`[assistant] history_budget`).
    public var historyBudget: Int
    /// Seconds without any byte before a stream counts as stalled.
    public var stallTimeout: TimeInterval = 60
    /// Model turns allowed in one reply: each tool round trip is one.
    public var maxRounds = 6

    public var name: String { model.isEmpty ? "openai" : model }

    public init(baseURL: String, model: String, apiKey: String?, http: HTTPClient, tools: AssistantTools? = nil, historyBudget: Int = 8000) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.model = model
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.http = http
        self.tools = tools
        self.historyBudget = historyBudget
    }

    static let basePrompt = "You are lume-tui, an assistant in the user's terminal. Be concise; use Markdown."
    static let toolPrompt = """
        You can read the user's Google data with the tools provided. To send an email, create an event         or change a task, use the draft_* or complete_task tools: the user sees the draft and confirms it         themselves, so never say that something was sent or created. Give times as RFC 3339 with the         user's offset. Services without a tool here are not granted: say so instead of pretending.
        """
    static let noToolPrompt = """
        You cannot read or change the user's Gmail, Calendar, Tasks or Keep in this conversation:         if asked to, say so instead of pretending.
        """

    public func reply(to request: AssistantRequest) -> AsyncThrowingStream<AssistantEvent, Error> {
        .feeding { continuation in try await converse(request, into: continuation) }
    }

    /// The conversation as sent: the system prompt, as much history as the budget allows
    /// (oldest dropped first), and the message being answered.
    func messages(for request: AssistantRequest, toolsOffered: Bool) -> [JSONValue] {
        var system = Self.basePrompt + " " + (toolsOffered ? Self.toolPrompt : Self.noToolPrompt)
        if let tools { system += " " + tools.context() }
        let history = HistoryBudget.fit(request.history.filter { $0.role != .system && !$0.content.isEmpty }, tokens: historyBudget)
        var messages: [JSONValue] = [.object(["role": .string("system"), "content": .string(system)])]
        for message in history {
            messages.append(.object(["role": .string(message.role.rawValue), "content": .string(message.content)]))
        }
        messages.append(.object(["role": .string("user"), "content": .string(request.message.content)]))
        return messages
    }

    private func converse(_ request: AssistantRequest, into continuation: AsyncThrowingStream<AssistantEvent, Error>.Continuation) async throws {
        guard !model.isEmpty else {
            throw AssistantFailure("no model is configured: set `model` under [assistant] (for example \"llama3.2\" for Ollama)")
        }
        let definitions = request.signedIn ? tools?.definitions(granted: request.granted) ?? [] : []
        var messages = messages(for: request, toolsOffered: !definitions.isEmpty)
        continuation.yield(.metadata(["model": .string(model)]))
        let log = GoogleCallLog()
        var usage = TokenUsage()
        var calls: [JSONValue] = []
        let text = ReplyText(continuation)
        defer {
            var metadata: [String: JSONValue] = [:]
            if let total = usage.json { metadata["usage"] = total }
            if !calls.isEmpty { metadata["tool_calls"] = .array(calls) }
            metadata.merge(log.metadata) { $1 }
            if !metadata.isEmpty { continuation.yield(.metadata(metadata)) }
        }
        for _ in 0..<maxRounds {
            text.startTurn()
            let turn = try await streamTurn(messages, tools: definitions) { text.emit($0) }
            usage.add(turn.usage)
            guard !turn.toolCalls.isEmpty, let tools else { return }
            messages.append(.object([
                "role": .string("assistant"), "content": turn.text.isEmpty ? .null : .string(turn.text),
                "tool_calls": .array(turn.toolCalls.map { call in
                    .object(["id": .string(call.id), "type": .string("function"),
                             "function": .object(["name": .string(call.name), "arguments": .string(call.arguments)])])
                }),
            ]))
            for call in turn.toolCalls {
                try Task.checkCancellation()
                calls.append(.object(["name": .string(call.name), "arguments": .string(call.arguments)]))
                switch await tools.run(name: call.name, arguments: call.arguments, granted: request.granted, log: log) {
                case let .output(text):
                    messages.append(.object(["role": .string("tool"), "tool_call_id": .string(call.id), "content": .string(text)]))
                case let .draft(draft, action):
                    // A write ends the turn: the user answers the draft, not the model.
                    text.startTurn()
                    text.emit(draft)
                    continuation.yield(.proposal(action))
                    return
                }
            }
        }
        throw AssistantFailure("the model kept calling tools without answering (\(maxRounds) rounds); what arrived is kept")
    }

    /// One streamed model turn: its text (passed to `onText` as it arrives), the tool
    /// calls it asked for, and its token usage.
    private func streamTurn(_ messages: [JSONValue], tools: [JSONValue], onText: @escaping @Sendable (String) -> Void) async throws -> StreamState.Turn {
        var fields: [String: JSONValue] = [
            "model": .string(model), "messages": .array(messages), "stream": .bool(true),
            "stream_options": .object(["include_usage": .bool(true)]),
        ]
        if !tools.isEmpty { fields["tools"] = .array(tools) }
        var headers = [HTTPHeader("Content-Type", "application/json"), HTTPHeader("Accept", "text/event-stream")]
        if let apiKey { headers.append(.bearer(apiKey)) }
        let state = StreamState(onText: onText)
        let response: HTTPResponse
        do {
            response = try await http.stream(
                HTTPRequest(method: "POST", url: baseURL + "/chat/completions", headers: headers, body: Data(JSONValue.object(fields).text.utf8)),
                stallTimeout: stallTimeout
            ) { data in state.feed(data) }
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
        return state.turn
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

    /// The stream being read, shared with the HTTP client's data callback: content is
    /// passed on as it arrives, tool-call pieces are put together by their index.
    final class StreamState: @unchecked Sendable {
        struct ToolCall: Equatable {
            var id: String
            var name: String
            var arguments: String
        }

        struct Turn {
            var text = ""
            var toolCalls: [ToolCall] = []
            var usage: JSONValue?
        }

        private let lock = NSLock()
        private let onText: @Sendable (String) -> Void
        private var parser = ServerSentEventParser()
        private var text = ""
        private var calls: [Int: ToolCall] = [:]
        private var usage: JSONValue?
        private(set) var done = false
        private(set) var problem: String?
        /// The start of the body, kept to explain an error status.
        private(set) var rawPrefix = Data()
        var receivedAny: Bool { lock.withLock { !rawPrefix.isEmpty } }

        init(onText: @escaping @Sendable (String) -> Void) {
            self.onText = onText
        }

        var turn: Turn {
            lock.withLock {
                Turn(text: text, toolCalls: calls.sorted { $0.key < $1.key }.map(\.value).filter { !$0.name.isEmpty }, usage: usage)
            }
        }

        func feed(_ data: Data) {
            var pieces: [String] = []
            lock.lock()
            if rawPrefix.count < 65536 { rawPrefix.append(data.prefix(65536 - rawPrefix.count)) }
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
                if let delta = json["choices"]?.arrayValue?.first?["delta"] {
                    if let piece = delta["content"]?.stringValue, !piece.isEmpty {
                        text += piece
                        pieces.append(piece)
                    }
                    for (position, call) in (delta["tool_calls"]?.arrayValue ?? []).enumerated() {
                        // OpenAI numbers each call; servers that omit it send one call per chunk in order.
                        let index = call["index"]?.numberValue.map(Int.init) ?? position
                        var current = calls[index] ?? ToolCall(id: "", name: "", arguments: "")
                        if let id = call["id"]?.stringValue, !id.isEmpty { current.id = id }
                        current.name += call["function"]?["name"]?.stringValue ?? ""
                        current.arguments += call["function"]?["arguments"]?.stringValue ?? ""
                        if current.id.isEmpty { current.id = "call_\(index)" }
                        calls[index] = current
                    }
                }
                if let reported = json["usage"], case .object = reported { usage = reported }
            }
            lock.unlock()
            for piece in pieces { onText(piece) }
        }
    }
}

/// The reply's text across model turns: a later turn's text starts a new paragraph.
final class ReplyText: @unchecked Sendable {
    private let lock = NSLock()
    private let continuation: AsyncThrowingStream<AssistantEvent, Error>.Continuation
    private var wrote = false
    private var needsBreak = false

    init(_ continuation: AsyncThrowingStream<AssistantEvent, Error>.Continuation) {
        self.continuation = continuation
    }

    func startTurn() { lock.withLock { needsBreak = wrote } }

    func emit(_ piece: String) {
        let prefix = lock.withLock { () -> String in
            defer { needsBreak = false; wrote = true }
            return needsBreak ? "\n\n" : ""
        }
        continuation.yield(.text(prefix + piece))
    }
}

/// Token counts summed over the model turns of one reply.
struct TokenUsage {
    var prompt = 0, completion = 0, total = 0, reported = false

    mutating func add(_ usage: JSONValue?) {
        guard let usage else { return }
        reported = true
        prompt += Int(usage["prompt_tokens"]?.numberValue ?? 0)
        completion += Int(usage["completion_tokens"]?.numberValue ?? 0)
        total += Int(usage["total_tokens"]?.numberValue ?? 0)
    }

    var json: JSONValue? {
        guard reported else { return nil }
        return .object(["prompt_tokens": .number(Double(prompt)), "completion_tokens": .number(Double(completion)), "total_tokens": .number(Double(total))])
    }
}

/// Which earlier messages fit the history budget: the newest ones, whole, oldest dropped
/// first. Tokens are estimated at four bytes each — no tokenizer is known for an arbitrary
/// endpoint, and the estimate errs on the side of sending less.
enum HistoryBudget {
    static func estimate(_ text: String) -> Int { (text.utf8.count + 3) / 4 + 4 }

    static func fit(_ history: [Message], tokens budget: Int) -> [Message] {
        var used = 0
        var kept: [Message] = []
        for message in history.reversed() {
            let cost = estimate(message.content)
            guard used + cost <= budget else { break }
            used += cost
            kept.append(message)
        }
        return kept.reversed()
    }
}
