import Foundation
import Logging
import LumeTestSupport
import Testing
@testable import LumeKit

/// The built-in assistant end to end through `ChatService`: a stored message, real HTTP to
/// the fake Google, a stored reply, and drafts that are carried out only when confirmed.
@Suite struct BuiltinAssistantTests {
    let directory = TemporaryDirectory("lume-builtin")
    let account: GoogleTestAccount
    let berlin = LocalTime(named: "Europe/Berlin")!
    /// Friday 27 November 2026, 10:00 in Berlin.
    let now: Date

    init() throws {
        account = try GoogleTestAccount(directory: directory.path, services: [.email, .calendar, .tasks, .keep])
        now = berlin.date(year: 2026, month: 11, day: 27, hour: 10)
    }

    var access: GoogleAccess {
        GoogleAccess(database: account.database, tokens: account.tokens, http: CurlHTTPClient(), api: account.config.googleAPI,
                     retry: RetryPolicy(attempts: 2, baseDelay: 0.01, maxDelay: 0.02))
    }

    var chat: ChatService {
        let now = self.now
        let assistant = BuiltinAssistant(configFile: "/home/ada/.config/lume/config.toml", google: access, time: berlin, now: { now })
        return ChatService(database: account.database, assistant: assistant, google: access, time: berlin, logger: Logger(label: "test"))
    }

    /// One turn: the user's message stored, the reply returned as stored.
    func turn(_ text: String, in conversation: Int64? = nil) async throws -> Message {
        let (message, _) = try chat.storeUserMessage(text, in: conversation)
        return await chat.answer(message)
    }

    func metadata(_ message: Message) -> JSONValue { JSONValue.parse(message.metadata) }

    @Test func answersTheAgendaFromTheCalendar() async throws {
        account.api.addEvent(.init(id: "a", summary: "Standup", start: "2026-11-28T09:00:00+01:00", end: "2026-11-28T09:15:00+01:00"))
        account.api.addEvent(.init(id: "b", summary: "Lunch with Bob", start: "2026-11-28T13:00:00+01:00", end: "2026-11-28T14:00:00+01:00"))
        let reply = try await turn("what's on my calendar tomorrow?")
        #expect(reply.status == .complete)
        #expect(reply.content == "**Sat 28 Nov**\n- 09:00–09:15 Standup\n- 13:00–14:00 Lunch with Bob")
        #expect(metadata(reply)["provider"]?.stringValue == "builtin")
        #expect(metadata(reply)["intent"]?.stringValue == "agenda")
        #expect(metadata(reply)["google_calls"] == .array([.string("GET /calendars/primary/events 200")]))
        #expect(metadata(reply)["latency_ms"]?.numberValue != nil)
        #expect(try await turn("what do I have on Monday").content == "Nothing on your calendar on Monday.")
    }

    @Test func saysWhetherTheUserIsFree() async throws {
        account.api.addEvent(.init(id: "r", summary: "Design review", start: "2026-12-03T14:30:00+01:00", end: "2026-12-03T15:30:00+01:00"))
        #expect(try await turn("am I free Thursday at 3?").content == "No — Thu 3 Dec 15:00–16:00 overlaps:\n\n- 14:30–15:30 Design review")
        #expect(try await turn("am I free Thursday at 5pm?").content == "Yes — you are free Thu 3 Dec 17:00–18:00.")
    }

    @Test func searchesAndReadsMail() async throws {
        account.api.addMail(.init(id: "m1", from: "Alice Smith <alice@example.com>", subject: "Q4 plan", body: "Numbers attached", date: now.addingTimeInterval(-3600), unread: true))
        account.api.addMail(.init(id: "m2", from: "Bob <bob@example.com>", subject: "Lunch", body: "Noon?", date: now.addingTimeInterval(-60)))
        let list = try await turn("unread mail from Alice this week")
        #expect(list.content.contains("**Q4 plan** — Alice Smith, Fri 27 Nov 09:00 · unread"))
        #expect(!list.content.contains("Lunch"))
        let query = try #require(account.requests("/gmail/v1/users/me/messages").first?.query["q"])
        #expect(query == "is:unread from:Alice after:\(Int(berlin.date(year: 2026, month: 11, day: 23).timeIntervalSince1970))")
        let read = try await turn("read the latest email from Bob")
        #expect(read.content.hasPrefix("**Lunch**\nFrom: Bob <bob@example.com>"))
        #expect(read.content.hasSuffix("\n\nNoon?"))
    }

    @Test func draftsAnEmailAndSendsItOnlyOnceWhenConfirmed() async throws {
        account.api.addPerson(.init("Bob Stone", "bob@example.com"))
        let draft = try await turn("email Bob about lunch saying see you at noon")
        #expect(draft.content.contains("> To: Bob Stone <bob@example.com>"))
        #expect(draft.content.contains("> Subject: Lunch"))
        #expect(draft.content.contains("> See you at noon."))
        #expect(draft.content.contains("Send this email?"))
        #expect(account.api.sent.isEmpty, "nothing is sent before the confirmation")
        #expect(PendingAction.of(draft)?.status == .pending)

        let outcome = await chat.settle(draft, confirmed: true)
        #expect(outcome.status == .complete)
        #expect(outcome.content == "Sent “Lunch” to Bob Stone <bob@example.com>.")
        let sent = try #require(account.api.sent.first)
        #expect(sent.headers["to"] == "Bob Stone <bob@example.com>")
        #expect(sent.headers["from"] == "Ada Lovelace <ada@example.com>")
        #expect(sent.body == "See you at noon.")
        #expect(metadata(outcome)["google_calls"] == .array([.string("POST /users/me/messages/send 200")]))
        let stored = try #require(try account.database.message(id: draft.id!))
        #expect(PendingAction.of(stored)?.status == .done)

        // A second confirmation (another window, a double key press) does nothing.
        let again = await chat.settle(stored, confirmed: true)
        #expect(again.content.contains("already dealt with"))
        #expect(account.api.sent.count == 1)
        #expect(try account.database.messages(in: draft.conversationID).map(\.role) == [.user, .assistant, .assistant, .assistant])
    }

    @Test func anEditedDraftIsWhatGetsSent() async throws {
        let draft = try await turn("email bob@example.com about lunch saying see you at noon")
        let (action, _) = try #require(PendingAction.of(draft))
        let text = try #require(action.editableText)
        #expect(text == "To: bob@example.com\nSubject: Lunch\n\nSee you at noon.\n")
        let edited = text.replacingOccurrences(of: "To: bob@example.com", with: "To: Bob <bob@example.com>, carol@example.org")
            .replacingOccurrences(of: "See you at noon.", with: "See you at one.\nBring the slides.")
        let revised = try action.revised(from: edited).get()
        let stored = chat.revise(draft, to: revised)
        #expect(stored.content.hasPrefix("Here is the edited draft:"))
        #expect(stored.content.contains("> Bring the slides."))
        _ = await chat.settle(stored, confirmed: true)
        #expect(account.api.sent.first?.headers["to"] == "Bob <bob@example.com>, carol@example.org")
        #expect(account.api.sent.first?.body == "See you at one.\r\nBring the slides.")
        // Once answered, a draft can no longer be revised.
        let later = chat.revise(stored, to: action)
        #expect(PendingAction.of(later)?.action == revised)
    }

    @Test func editsThatDoNotReadAsAnEmailAreRefused() throws {
        let action = PendingAction.sendEmail(EmailDraft(to: [MailAddress("bob@example.com")], subject: "Lunch", body: "Noon."))
        #expect(action.revised(from: "To: \nSubject: x\n\nbody").failureText == "the edited draft has no recipients on its To: line")
        #expect(action.revised(from: "To: bob\nSubject: x\n\nbody").failureText == "“bob” is not an email address")
        #expect(action.revised(from: "To: bob@example.com\nBcc: eve@example.com\n\nbody").failureText?.contains("“Bcc” is not a header lume-tui sends") == true)
        #expect(action.revised(from: "To: bob@example.com\nSubject: x\n\n  \n").failureText == "the edited draft has no text")
        #expect(PendingAction.addTask(TaskDraft(title: "t"), list: TaskList(id: "l", title: "L")).editableText == nil)
    }

    @Test func aDeclinedDraftIsNeverSent() async throws {
        let draft = try await turn("send an email to carol@example.org saying the build is green")
        let outcome = await chat.settle(draft, confirmed: false)
        #expect(outcome.content == "Cancelled: nothing was sent.")
        #expect(account.api.sent.isEmpty)
        #expect(PendingAction.of(try #require(try account.database.message(id: draft.id!)))?.status == .declined)
        _ = await chat.settle(draft, confirmed: true)
        #expect(account.api.sent.isEmpty, "a declined draft cannot be confirmed later")
    }

    @Test func asksWhichContactWhenANameIsAmbiguousOrUnknown() async throws {
        account.api.addPerson(.init("Bob Stone", "bob@example.com"))
        account.api.addPerson(.init("Bobby Tables", "bobby@example.org"))
        let ambiguous = try await turn("email Bob about the offsite")
        #expect(ambiguous.content.contains("Which “Bob” do you mean?"))
        #expect(ambiguous.content.contains("- Bobby Tables <bobby@example.org>"))
        #expect(PendingAction.of(ambiguous) == nil)
        #expect(account.api.warmUps == 1, "Contacts search is warmed up first, as Google asks")
        let unknown = try await turn("email Zed about the offsite")
        #expect(unknown.content.hasPrefix("I could not find “Zed” in your contacts"))
        let exact = try await turn("email Bob Stone about the offsite")
        #expect(exact.content.contains("> To: Bob Stone <bob@example.com>"))
        #expect(try await turn("what's Bobby's email address").content == "- **Bobby Tables**: bobby@example.org")
    }

    @Test func createsEventsAndTasksAfterConfirmation() async throws {
        account.api.addEvent(.init(id: "x", summary: "Standup", start: "2026-11-28T13:30:00+01:00", end: "2026-11-28T13:45:00+01:00"))
        let event = try await turn("lunch with Bob tomorrow 1pm for an hour")
        #expect(event.content.contains("> Event: Lunch with Bob\n> When: Sat 28 Nov 13:00–14:00"))
        #expect(event.content.contains("Note: it overlaps **Standup** (13:30–13:45)."))
        #expect(account.api.events.count == 1)
        let created = await chat.settle(event, confirmed: true)
        #expect(created.content == "Created **Lunch with Bob**, Sat 28 Nov 13:00–14:00.")
        #expect(account.api.events.last?.json["start"]?["dateTime"]?.stringValue == "2026-11-28T13:00:00+01:00")

        let task = try await turn("remind me to pay rent next Monday")
        #expect(task.content.contains("> Task: Pay rent\n> List: My Tasks\n> Due: Mon 30 Nov"))
        let added = await chat.settle(task, confirmed: true)
        #expect(added.content == "Added **Pay rent** to My Tasks, due Mon 30 Nov.")
        #expect(account.api.tasks().last?["due"]?.stringValue == "2026-11-30T00:00:00.000Z")

        account.api.addTask(title: "Buy milk")
        let listed = try await turn("show my tasks")
        #expect(listed.content == "**My Tasks** — 2 open:\n\n- [ ] Pay rent (due Mon 30 Nov)\n- [ ] Buy milk")
        let complete = try await turn("mark buy milk as done")
        #expect(complete.content.contains("Mark this task done?"))
        #expect(await chat.settle(complete, confirmed: true).content == "Marked **Buy milk** done.")
        #expect(try await turn("mark taxes done").content.hasPrefix("No open task matches “taxes”"))
    }

    @Test func aRevokedScopeStartsThePermissionFlowAgain() async throws {
        let limited = TemporaryDirectory("lume-revoked")
        let revoked = try GoogleTestAccount(directory: limited.path, services: [.calendar])
        // The stored flags still say email is granted, but the token no longer carries it.
        var user = revoked.user
        user.setGranted(.email, true)
        try revoked.database.saveUser(user)
        let access = GoogleAccess(database: revoked.database, tokens: revoked.tokens, http: CurlHTTPClient(), api: revoked.config.googleAPI)
        let chat = ChatService(database: revoked.database, assistant: BuiltinAssistant(configFile: "c", google: access, time: berlin), google: access,
                               time: berlin, logger: Logger(label: "test"))
        let (message, _) = try chat.storeUserMessage("check my email", in: nil)
        let reply = await chat.answer(message)
        #expect(reply.status == .complete)
        #expect(reply.content.contains("no longer has **email** access"))
        #expect(JSONValue.parse(reply.metadata)["requires_permissions"] == .array([.string("email")]))
        #expect(try revoked.database.signedInUser()?.emailGranted == false)
        #expect(try chat.missingServices(for: chat.storeUserMessage("check my email", in: nil).0) == [.email])
    }

    @Test func keepOutsideWorkspaceIsANormalAnswer() async throws {
        account.google.keepUnavailable = true
        let reply = try await turn("show my notes")
        #expect(reply.status == .complete)
        #expect(reply.content.hasPrefix("Keep is not available for this account"))
        let user = try #require(try account.database.signedInUser())
        #expect(PermissionState.of(.keep, user: user, latest: try account.database.latestPermissionStatus(userID: user.id!)) == .unavailable)
        // Asked again, it does not loop through Google: it says what the state is.
        let calls = account.requests("/keep/v1").count
        #expect(try await turn("show my notes").content.hasPrefix("Keep is not available for this account"))
        #expect(account.requests("/keep/v1").count == calls)
    }

    @Test func listsKeepNotes() async throws {
        account.api.addNote(title: "Ideas", text: "A terminal assistant\nwith offline history")
        account.api.addNote(title: "", text: "Groceries")
        #expect(try await turn("show my notes").content == "- **Ideas**: A terminal assistant · with offline history\n- **(untitled)**: Groceries")
    }

    @Test func googleFailuresAreStoredInPlainWords() async throws {
        account.api.fail("/calendar/v3", status: 503, times: 10)
        let reply = try await turn("what's on my calendar today")
        #expect(reply.status == .error)
        #expect(metadata(reply)["error"]?.stringValue == "Google had a problem (HTTP 503): Backend Error")
        #expect(metadata(reply)["google_calls"]?.arrayValue?.count == 3)
    }

    @Test func withoutSignInOrForOpenQuestionsItSaysWhatToDo() async throws {
        let empty = TemporaryDirectory("lume-signed-out")
        let database = try AppDatabase(path: empty.file("lume.sqlite3"))
        let chat = ChatService(database: database, assistant: BuiltinAssistant(configFile: "/cfg.toml", google: nil, time: berlin), logger: Logger(label: "test"))
        let (message, _) = try chat.storeUserMessage("show my tasks", in: nil)
        #expect(await chat.answer(message).content.contains("you are not signed in: run `lume-tui login` first, then `lume-tui grant tasks`"))
        let (question, _) = try chat.storeUserMessage("what is the capital of France?", in: nil)
        let answer = await chat.answer(question)
        #expect(answer.content.contains("cannot answer open questions"))
        #expect(answer.content.contains("/cfg.toml"))
        let (refused, _) = try chat.storeUserMessage("delete all my emails", in: nil)
        #expect(await chat.answer(refused).content == "I can't delete mail: lume-tui reads, searches and sends it.")
    }
}

extension Result where Failure == DraftEditProblem {
    var failureText: String? {
        if case let .failure(problem) = self { return problem.description }
        return nil
    }
}
