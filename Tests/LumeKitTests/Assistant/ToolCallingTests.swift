import Foundation
import Logging
import LumeTestSupport
import Testing
@testable import LumeKit

/// An LLM using the Google actions as tools: our fake OpenAI-compatible server streams tool
/// calls in pieces, lume-tui runs them against the fake Google and feeds the results back.
@Suite struct ToolCallingTests {
    let directory = TemporaryDirectory("lume-tools")
    let account: GoogleTestAccount
    let llm: FakeOpenAI
    let berlin = LocalTime(named: "Europe/Berlin")!
    let now: Date

    init() throws {
        account = try GoogleTestAccount(directory: directory.path, services: [.email, .calendar, .tasks])
        llm = try FakeOpenAI()
        now = berlin.date(year: 2026, month: 11, day: 27, hour: 10)
    }

    func chat(budget: Int = 8000, account: GoogleTestAccount? = nil) -> ChatService {
        let account = account ?? self.account
        let access = GoogleAccess(database: account.database, tokens: account.tokens, http: CurlHTTPClient(), api: account.config.googleAPI)
        let now = self.now
        let assistant = OpenAICompatibleAssistant(baseURL: llm.baseURL, model: "fake-model", apiKey: nil, http: CurlHTTPClient(),
                                                  tools: AssistantTools(google: access, time: berlin, now: { now }), historyBudget: budget)
        return ChatService(database: account.database, assistant: assistant, google: access, time: berlin, logger: Logger(label: "test"))
    }

    func turn(_ text: String, chat: ChatService? = nil) async throws -> Message {
        let chat = chat ?? self.chat()
        let (message, _) = try chat.storeUserMessage(text, in: nil)
        return await chat.answer(message)
    }

    func toolNames(_ request: TestHTTPRequest?) -> [String] {
        (request?.json["tools"]?.arrayValue ?? []).compactMap { $0["function"]?["name"]?.stringValue }
    }

    @Test func toolResultsAreFedBackUntilTheModelAnswers() async throws {
        account.api.addEvent(.init(id: "s", summary: "Standup", start: "2026-11-28T09:00:00+01:00", end: "2026-11-28T09:15:00+01:00"))
        account.api.addTask(title: "Buy milk")
        llm.behaviour = .script([
            .toolCalls([
                .init(id: "call_events", name: "list_events", arguments: #"{"start":"2026-11-28","end":"2026-11-29"}"#),
                .init(id: "call_tasks", name: "list_tasks", arguments: "{}"),
            ]),
            .text(["Tomorrow you have ", "a standup at 9, ", "and milk to buy."]),
        ])
        let reply = try await turn("what does tomorrow look like?")
        #expect(reply.status == .complete, "\(reply.metadata)")
        #expect(reply.content == "Tomorrow you have a standup at 9, and milk to buy.")

        let requests = llm.requests
        #expect(requests.count == 2)
        #expect(toolNames(requests[0]) == ["search_mail", "read_mail", "draft_email", "list_events", "check_free", "draft_event",
                                             "list_tasks", "draft_task", "complete_task", "find_contact"], "no Keep tool: Keep is not granted")
        let system = requests[0].json["messages"]?.arrayValue?.first?["content"]?.stringValue ?? ""
        #expect(system.contains("Now is Fri 27 Nov 10:00 (2026-11-27T10:00:00+01:00), time zone Europe/Berlin"))
        let sent = requests[1].json["messages"]?.arrayValue ?? []
        let asked = try #require(sent.first { $0["role"]?.stringValue == "assistant" })
        #expect(asked["tool_calls"]?.arrayValue?.map { $0["function"]?["name"]?.stringValue } == ["list_events", "list_tasks"])
        #expect(asked["tool_calls"]?.arrayValue?.first?["function"]?["arguments"]?.stringValue == #"{"start":"2026-11-28","end":"2026-11-29"}"#)
        let results = sent.filter { $0["role"]?.stringValue == "tool" }
        #expect(results.map { $0["tool_call_id"]?.stringValue } == ["call_events", "call_tasks"])
        #expect(results[0]["content"]?.stringValue == "**Sat 28 Nov**\n- 09:00–09:15 Standup")
        #expect(results[1]["content"]?.stringValue?.contains("- [ ] Buy milk") == true)

        let metadata = JSONValue.parse(reply.metadata)
        #expect(metadata["model"]?.stringValue == "fake-model")
        #expect(metadata["tool_calls"]?.arrayValue?.count == 2)
        #expect(metadata["google_calls"]?.arrayValue?.count == 3)
        #expect(metadata["usage"]?["total_tokens"]?.numberValue == 220, "summed over both model turns")
    }

    @Test func aWriteToolEndsTheTurnWithADraftTheUserConfirms() async throws {
        account.api.addPerson(.init("Bob Stone", "bob@example.com"))
        llm.behaviour = .script([
            .toolCalls([.init(id: "call_1", name: "draft_email", arguments: #"{"to":["Bob"],"subject":"Standup notes","body":"Hi Bob,\nnotes attached."}"#)]),
            .text(["This must not be asked for."]),
        ])
        let chat = chat()
        let (message, _) = try chat.storeUserMessage("send Bob today's standup notes", in: nil)
        let reply = await chat.answer(message)
        #expect(reply.content.contains("> To: Bob Stone <bob@example.com>\n> Subject: Standup notes"))
        #expect(PendingAction.of(reply)?.status == .pending)
        #expect(llm.requests.count == 1, "the user answers the draft, not the model")
        #expect(account.api.sent.isEmpty)
        let outcome = await chat.settle(reply, confirmed: true)
        #expect(outcome.content == "Sent “Standup notes” to Bob Stone <bob@example.com>.")
        #expect(account.api.sent.first?.body == "Hi Bob,\r\nnotes attached.")
    }

    @Test func badCallsComeBackAsErrorsTheModelCanExplain() async throws {
        llm.behaviour = .script([
            .toolCalls([
                .init(id: "a", name: "draft_event", arguments: #"{"title":"Lunch","start":"tomorrow noon","end":"2026-11-28T13:00:00+01:00"}"#),
                .init(id: "b", name: "list_notes", arguments: "{}"),
                .init(id: "c", name: "launch_rockets", arguments: "{}"),
                .init(id: "d", name: "list_tasks", arguments: "not json"),
            ]),
            .text(["Sorry, I could not do that."]),
        ])
        let reply = try await turn("lunch tomorrow")
        #expect(reply.status == .complete)
        let results = (llm.requests.last?.json["messages"]?.arrayValue ?? []).filter { $0["role"]?.stringValue == "tool" }.compactMap { $0["content"]?.stringValue }
        #expect(results == [
            "error: `start` is not an RFC 3339 time or a YYYY-MM-DD date: tomorrow noon",
            "error: the user has not granted keep access; they can run `lume-tui grant keep`",
            "error: there is no tool named launch_rockets",
            "error: the arguments are not a JSON object",
        ])
        #expect(account.api.events.isEmpty)
    }

    @Test func aModelThatNeverAnswersIsStopped() async throws {
        llm.behaviour = .script([.toolCalls([.init(id: "x", name: "list_tasks", arguments: "{}")])])
        let reply = try await turn("loop forever")
        #expect(reply.status == .error)
        #expect(JSONValue.parse(reply.metadata)["error"]?.stringValue?.contains("kept calling tools without answering (6 rounds)") == true)
        #expect(llm.requests.count == 6)
    }

    @Test func historyIsSentWithinTheBudgetNewestFirst() async throws {
        let chat = chat(budget: 300)
        llm.behaviour = .stream(["ok"])
        let conversation = try account.database.createConversation()
        for index in 0..<10 {
            _ = try account.database.appendMessage(to: conversation.id!, role: index % 2 == 0 ? .user : .assistant,
                                                   content: "message \(index) " + String(repeating: "x", count: 200))
        }
        let (message, _) = try chat.storeUserMessage("and now?", in: conversation.id!)
        _ = await chat.answer(message)
        let sent = llm.requests.last?.json["messages"]?.arrayValue ?? []
        #expect(sent.first?["role"]?.stringValue == "system", "the system prompt is always kept")
        #expect(sent.last?["content"]?.stringValue == "and now?")
        let history = sent.dropFirst().dropLast().compactMap { $0["content"]?.stringValue }
        #expect(history.count == 5, "about 55 tokens each, 300 allowed")
        #expect(history.first?.hasPrefix("message 5 ") == true)
        #expect(history.last?.hasPrefix("message 9 ") == true)
    }

    @Test func withoutSignInNoToolsAreOffered() async throws {
        let empty = TemporaryDirectory("lume-notools")
        let database = try AppDatabase(path: empty.file("lume.sqlite3"))
        let assistant = OpenAICompatibleAssistant(baseURL: llm.baseURL, model: "fake-model", apiKey: nil, http: CurlHTTPClient())
        let chat = ChatService(database: database, assistant: assistant, logger: Logger(label: "test"))
        llm.behaviour = .stream(["Hi"])
        let (message, _) = try chat.storeUserMessage("hello", in: nil)
        #expect(await chat.answer(message).content == "Hi")
        #expect(llm.requests.last?.json["tools"] == nil)
        #expect(llm.requests.last?.json["messages"]?.arrayValue?.first?["content"]?.stringValue?.contains("cannot read or change") == true)
    }
}
