import Foundation
import Logging
import LumeTestSupport
import Testing
@testable import LumeKit

/// Conversations, not single messages: a question about a missing detail is answered by
/// the next message, a changed detail re-runs the request, a typed yes or no answers a
/// waiting draft, thanks close a request without acting again. Through `ChatService`
/// and the built-in assistant against the fake Google. "Now" is Friday 27 November 2026,
/// 10:00 in Berlin.
@Suite struct FollowUpTests {
    let directory = TemporaryDirectory("lume-followup")
    let account: GoogleTestAccount
    let berlin = LocalTime(named: "Europe/Berlin")!
    let now: Date

    init() throws {
        account = try GoogleTestAccount(directory: directory.path, services: [.email, .calendar, .tasks])
        now = berlin.date(year: 2026, month: 11, day: 27, hour: 10)
    }

    var chat: ChatService {
        let now = self.now
        let access = GoogleAccess(database: account.database, tokens: account.tokens, http: CurlHTTPClient(), api: account.config.googleAPI,
                                  retry: RetryPolicy(attempts: 2, baseDelay: 0.01, maxDelay: 0.02))
        let assistant = BuiltinAssistant(configFile: "/cfg.toml", google: access, time: berlin, now: { now })
        return ChatService(database: account.database, assistant: assistant, google: access, time: berlin, logger: Logger(label: "test"))
    }

    /// The replies to `messages`, said one after the other in one conversation.
    func conversation(_ messages: [String]) async throws -> [Message] {
        var id: Int64?
        var replies: [Message] = []
        for text in messages {
            let (message, conversation) = try chat.storeUserMessage(text, in: id)
            id = conversation.id
            replies.append(await chat.answer(message))
        }
        return replies
    }

    func intent(_ reply: Message) -> String? { JSONValue.parse(reply.metadata)["intent"]?.stringValue }

    @Test func aMissingTimeIsAskedForAndTheAnswerCompletesTheDraft() async throws {
        let replies = try await conversation(["meet with joe tomorrow", "at 3"])
        #expect(replies[0].content.hasPrefix("What time should \"Meet with joe\" start?"), "\(replies[0].content)")
        #expect(intent(replies[0]) == "create_event")
        #expect(JSONValue.parse(replies[0].metadata)["asked"] == .bool(true))
        #expect(replies[1].content.contains("> Event: Meet with joe\n> When: Sat 28 Nov 15:00–16:00"), "\(replies[1].content)")
        #expect(intent(replies[1]) == "create_event")
        #expect(PendingAction.of(replies[1])?.status == .pending)
    }

    @Test func aChangedDayRerunsTheLastRequest() async throws {
        account.api.addEvent(.init(id: "a", summary: "Standup", start: "2026-11-28T09:00:00+01:00", end: "2026-11-28T09:15:00+01:00"))
        account.api.addEvent(.init(id: "b", summary: "Retro", start: "2026-11-30T16:00:00+01:00", end: "2026-11-30T17:00:00+01:00"))
        let replies = try await conversation(["what's on my calendar tomorrow?", "what about monday?"])
        #expect(replies[0].content.contains("Standup"))
        #expect(replies[1].content.contains("Retro"), "\(replies[1].content)")
        #expect(!replies[1].content.contains("Standup"))
        #expect(intent(replies[1]) == "agenda")
    }

    @Test func aTypedYesOrNoAnswersTheWaitingDraft() async throws {
        let sent = try await conversation(["email bob@example.com about lunch saying see you at noon", "yes, send it"])
        #expect(PendingAction.of(sent[0])?.status != nil)
        #expect(sent[1].content == "Sent “Lunch” to bob@example.com.", "\(sent[1].content)")
        #expect(account.api.sent.count == 1)

        let declined = try await conversation(["email carol@example.com about the offsite saying it moved", "no"])
        #expect(declined[1].content == "Cancelled: nothing was sent.", "\(declined[1].content)")
        #expect(account.api.sent.count == 1)
    }

    @Test func thanksCloseARequestWithoutDoingItAgain() async throws {
        let replies = try await conversation(["add a task to renew the passport on Friday", "thanks!"])
        #expect(replies[0].content.contains("Add this task?"))
        #expect(replies[1].content == "You're welcome.")
        #expect(PendingAction.of(replies[1]) == nil, "no second draft")
    }

    @Test func aNewRequestIsNotTakenForAFollowUp() async throws {
        let replies = try await conversation(["what's on my calendar tomorrow?", "add a task to call the bank"])
        #expect(intent(replies[1]) == "add_task")
        #expect(replies[1].content.contains("> Task: Call the bank"), "\(replies[1].content)")
    }

    /// The reading alone, with the context spelled out: what each follow-up becomes.
    @Test(arguments: [
        ("at three", ConversationContext(request: "lunch with Ann tomorrow", action: .createEvent, askedForDetail: true), Action.createEvent, FollowUp.sameRequest),
        ("tomorrow", ConversationContext(request: "am I free at 4", action: .checkFree), .checkFree, .sameRequest),
        ("and next week?", ConversationContext(request: "my agenda this week", action: .agenda), .agenda, .sameRequest),
        ("yes please", ConversationContext(request: "email Ann", action: .composeMail, awaitingAnswer: true), .composeMail, .answer),
        ("no thanks", ConversationContext(request: "email Ann", action: .composeMail, awaitingAnswer: true), .composeMail, .answer),
        ("that's all, thanks", ConversationContext(request: "my agenda", action: .agenda), .chat, .closing),
        ("thank you so much", ConversationContext(request: "my agenda", action: .agenda), .agenda, .acknowledgement),
        ("yes", ConversationContext(request: "what's on friday", action: .agenda, awaitingAnswer: true, offeredAction: .createEvent), .createEvent, .answer),
        ("send an email to Bob about the trip", ConversationContext(request: "my agenda", action: .agenda), .composeMail, .new),
        ("how do I sort a list in python", ConversationContext(request: "my agenda", action: .agenda), .chat, .new),
    ])
    func followUpsTakeTheirRequestsAction(_ message: String, _ context: ConversationContext, _ action: Action, _ kind: FollowUp) {
        let reading = Understanding.shared.read(message, context: context)
        #expect(reading.followUp == kind, "\(message)")
        #expect(reading.action == action, "\(message)")
        if kind == .sameRequest { #expect(reading.detailText == message + " " + (context.request ?? "")) }
        if let service = action.service, kind != .acknowledgement { #expect(reading.services.contains(service), "\(message)") }
    }
}
