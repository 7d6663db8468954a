import Foundation
import Logging
import LumeTestSupport
import Testing
@testable import LumeKit

@Suite struct ServerSentEventTests {
    @Test func eventsSurviveAnySplit() {
        let stream = "data: one\r\n\r\n: keep-alive\n\nevent: update\ndata: two\ndata: lines\n\nid: 7\ndata: 東京\n\n"
        let bytes = Array(stream.utf8)
        for size in [1, 2, 3, 5, 7, bytes.count] {
            var parser = ServerSentEventParser()
            var events: [ServerSentEvent] = []
            var index = 0
            while index < bytes.count {
                events += parser.feed(Data(bytes[index..<min(bytes.count, index + size)]))
                index += size
            }
            #expect(events == [
                ServerSentEvent(event: nil, data: "one", id: nil),
                ServerSentEvent(event: "update", data: "two\nlines", id: nil),
                ServerSentEvent(event: nil, data: "東京", id: "7"),
            ], "split every \(size) bytes")
            #expect(!parser.hasPartialEvent)
        }
        var cut = ServerSentEventParser()
        _ = cut.feed(Data("data: half".utf8))
        #expect(cut.hasPartialEvent)
    }
}

/// The OpenAI-compatible provider against our fake endpoint.
@Suite struct OpenAICompatibleAssistantTests {
    let fake: FakeOpenAI

    init() throws { fake = try FakeOpenAI() }

    func assistant(key: String? = "sk-test-key-123456", stall: TimeInterval = 60) -> OpenAICompatibleAssistant {
        var assistant = OpenAICompatibleAssistant(baseURL: fake.baseURL, model: "fake-model", apiKey: key, http: CurlHTTPClient())
        assistant.stallTimeout = stall
        return assistant
    }

    func request(_ text: String = "hello", history: [Message] = []) -> AssistantRequest {
        var message = Message(conversationID: 1, role: .user, content: text, now: Date())
        message.id = 99
        return AssistantRequest(history: history, message: message, detected: [], granted: [], signedIn: false)
    }

    func collect(_ assistant: OpenAICompatibleAssistant, _ request: AssistantRequest) async -> (text: String, metadata: [String: JSONValue], error: String?) {
        var text = ""
        var metadata: [String: JSONValue] = [:]
        do {
            for try await event in assistant.reply(to: request) {
                switch event {
                case let .text(piece): text += piece
                case let .metadata(values): metadata.merge(values) { $1 }
                case .proposal: Issue.record("an LLM reply without tools proposes nothing")
                }
            }
            return (text, metadata, nil)
        } catch {
            return (text, metadata, "\(error)")
        }
    }

    @Test func streamsContentDeltasAndUsage() async throws {
        fake.behaviour = .stream(["Hel", "lo, ", "東京", " 🚀"])
        var earlier = Message(conversationID: 1, role: .assistant, content: "earlier answer", now: Date())
        earlier.id = 1
        let result = await collect(assistant(), request("hi", history: [earlier]))
        #expect(result.error == nil)
        #expect(result.text == "Hello, 東京 🚀")
        #expect(result.metadata["model"]?.stringValue == "fake-model")
        #expect(result.metadata["usage"]?["total_tokens"]?.numberValue == 16)
        let sent = try #require(fake.requests.last)
        #expect(sent.header("Authorization") == "Bearer sk-test-key-123456")
        #expect(sent.json["stream"]?.boolValue == true)
        let messages = try #require(sent.json["messages"]?.arrayValue)
        #expect(messages.first?["role"]?.stringValue == "system")
        #expect(messages.map { $0["content"]?.stringValue ?? "" }.suffix(2) == ["earlier answer", "hi"])
    }

    @Test func noKeyNoAuthorizationHeader() async throws {
        _ = await collect(assistant(key: nil), request())
        #expect(fake.requests.last?.header("Authorization") == nil)
    }

    @Test(arguments: [
        (401, "Incorrect API key provided", "refused the API key (HTTP 401)"),
        (404, "The model `fake-model` does not exist", "does not know model \"fake-model\""),
        (429, "Rate limit reached", "rate limiting (HTTP 429); it asks to wait 7 s"),
        (500, "The server had an error", "failed (HTTP 500)"),
    ])
    func errorStatusesAreExplained(status: Int, message: String, expected: String) async {
        fake.behaviour = .error(status: status, message: message, headers: status == 429 ? [HTTPHeader("Retry-After", "7")] : [])
        let result = await collect(assistant(), request())
        #expect(result.error?.contains(expected) == true, "\(result.error ?? "no error")")
        #expect(result.error?.contains(message) == true)
    }

    @Test func malformedCutOffAndStalledStreams() async {
        fake.behaviour = .malformed
        var result = await collect(assistant(), request())
        #expect(result.text == "Half")
        #expect(result.error?.contains("not JSON") == true)

        fake.behaviour = .stream(["partial", " text"], done: false, cut: true)
        result = await collect(assistant(), request())
        #expect(result.text == "partial text", "what arrived is kept")
        #expect(result.error?.contains("cut off") == true)

        fake.behaviour = .stream(["slow"], delay: 3)
        result = await collect(assistant(stall: 1), request())
        #expect(result.error?.contains("stopped sending") == true, "\(result.error ?? "")")
    }

    @Test func anUnreachableEndpointSaysSo() async {
        let closed = ClosedPort()
        let unreachable = OpenAICompatibleAssistant(baseURL: closed.baseURL + "/v1", model: "fake-model", apiKey: nil, http: CurlHTTPClient())
        let result = await collect(unreachable, request())
        #expect(result.error?.contains("cannot reach the LLM endpoint") == true)
    }

    @Test func withoutAModelItSaysWhatToSet() async {
        let noModel = OpenAICompatibleAssistant(baseURL: fake.baseURL, model: "", apiKey: nil, http: CurlHTTPClient())
        let result = await collect(noModel, request())
        #expect(result.error?.contains("set `model` under [assistant]") == true)
        #expect(fake.requests.isEmpty)
    }
}

/// A chat turn stored as it streams, whatever happens to the reply.
@Suite struct ChatServiceTests {
    let directory = TemporaryDirectory("lume-chat")
    let database: AppDatabase
    let fake: FakeOpenAI

    init() throws {
        database = try AppDatabase(path: directory.file("lume.sqlite3"))
        fake = try FakeOpenAI()
    }

    func service() -> ChatService {
        ChatService(database: database, assistant: OpenAICompatibleAssistant(baseURL: fake.baseURL, model: "fake-model", apiKey: nil, http: CurlHTTPClient()),
                    logger: Logger(label: "test"))
    }

    @Test func theUserMessageIsStoredFirstWithItsServices() throws {
        let (message, conversation) = try service().storeUserMessage("email Ana and add a task", in: nil)
        #expect(message.detectedServices == [.email, .tasks])
        #expect(conversation.title == "email Ana and add a task")
        #expect(try database.messages(in: conversation.id!).count == 1)
        #expect(try service().missingServices(for: message) == [.email, .tasks], "signed out: everything is missing")
    }

    @Test func aReplyIsStoredWithItsMetadata() async throws {
        fake.behaviour = .stream(["Sure", ", done."])
        let (message, _) = try service().storeUserMessage("hi", in: nil)
        let reply = await service().answer(message)
        #expect(reply.status == .complete)
        #expect(reply.content == "Sure, done.")
        let stored = try #require(try database.message(id: reply.id!))
        #expect(stored.content == "Sure, done.")
        let metadata = JSONValue.parse(stored.metadata)
        #expect(metadata["provider"]?.stringValue == "fake-model")
        #expect(metadata["usage"]?["completion_tokens"]?.numberValue == 2)
        #expect(metadata["latency_ms"]?.numberValue != nil)
    }

    @Test func aCancelledReplyIsKeptAsInterrupted() async throws {
        fake.behaviour = .stream((1...40).map { "w\($0) " }, delay: 0.2)
        let (message, _) = try service().storeUserMessage("count", in: nil)
        let started = Box()
        let task = Task { await service().answer(message, onText: { _, _ in started.mark() }) }
        while !started.marked { try await Task.sleep(for: .milliseconds(20)) }
        task.cancel()
        let reply = await task.value
        #expect(reply.status == .interrupted)
        #expect(reply.content.hasPrefix("w1 "), "what arrived is kept")
        #expect(!reply.content.contains("w40"), "the stream stopped when cancelled")
        #expect(try database.message(id: reply.id!)?.status == .interrupted)
    }

    @Test func aFailedReplyIsStoredAsAnError() async throws {
        fake.behaviour = .error(status: 500, message: "boom")
        let (message, _) = try service().storeUserMessage("hi", in: nil)
        let reply = await service().answer(message)
        #expect(reply.status == .error)
        #expect(JSONValue.parse(reply.metadata)["error"]?.stringValue?.contains("HTTP 500") == true)
    }
}

final class Box: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func mark() { lock.withLock { value = true } }
    var marked: Bool { lock.withLock { value } }
}
