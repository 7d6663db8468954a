import Foundation
import Testing
@testable import LumeKit

/// What the built-in assistant understands, phrasing by phrasing: the action each message
/// must produce, and the ones it must refuse or ask about. "Now" is Friday 27 November
/// 2026, 10:00 in Berlin.
@Suite struct IntentParserTests {
    static let time = LocalTime(named: "Europe/Berlin")!
    static let now = time.date(year: 2026, month: 11, day: 27, hour: 10)
    static let parser = IntentParser(now: now, time: time)

    /// An instant in Berlin on a day of November/December 2026.
    static func at(_ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
        time.date(year: 2026, month: month, day: day, hour: hour, minute: minute)
    }

    static func span(_ from: (Int, Int), _ to: (Int, Int), _ label: String) -> Intent {
        .agenda(DateSpan(start: at(from.0, from.1), end: at(to.0, to.1), label: label))
    }

    static func mail(unread: Bool = false, from: String? = nil, words: String? = nil, since: Date? = nil) -> MailSearch {
        MailSearch(unreadOnly: unread, from: from, words: words, since: since)
    }

    static func compose(_ to: [String], _ subject: String, _ body: String) -> Intent {
        .composeMail(ComposeRequest(recipients: to, subject: subject, body: body))
    }

    static func event(_ title: String, _ start: Date, _ end: Date, invite: [String] = []) -> Intent {
        .createEvent(EventRequest(title: title, start: start, end: end, invitees: invite))
    }

    static let table: [(String, Intent)] = [
        // Mail: searching
        ("unread mail from Alice this week", .searchMail(mail(unread: true, from: "Alice", since: at(11, 23)))),
        ("any emails from bob?", .searchMail(mail(from: "bob"))),
        ("show my inbox", .searchMail(mail())),
        ("check my email", .searchMail(mail())),
        ("do I have new mail?", .searchMail(mail(unread: true))),
        ("search my mail for invoice", .searchMail(mail(words: "invoice"))),
        ("emails about the budget", .searchMail(mail(words: "\"the budget\""))),
        ("mail from Ada Lovelace today", .searchMail(mail(from: "Ada Lovelace", since: at(11, 27)))),
        ("unread emails", .searchMail(mail(unread: true))),
        ("messages from carol@example.com since Monday", .searchMail(mail(from: "carol@example.com", since: at(11, 23)))),
        ("emails from Dana in the last 3 days", .searchMail(mail(from: "Dana", since: at(11, 24, 10)))),
        // Mail: reading one
        ("read the latest email from Alice", .readMail(mail(from: "Alice"))),
        ("open my last email", .readMail(mail())),
        // Mail: composing
        ("email Ada the notes from today's standup", compose(["Ada"], "The notes from today's standup", "The notes from today's standup.")),
        ("send an email to bob@example.com about lunch saying see you at noon", compose(["bob@example.com"], "Lunch", "See you at noon.")),
        ("write a message to Carol: the build is green", compose(["Carol"], "The build is green", "The build is green.")),
        ("email me a reminder to buy milk", compose(["me"], "A reminder to buy milk", "A reminder to buy milk.")),
        ("tell Bob that the deploy is done", compose(["Bob"], "The deploy is done", "The deploy is done.")),
        ("let Alice know I'm running late", compose(["Alice"], "I'm running late", "I'm running late.")),
        ("send Bob an email about the offsite", compose(["Bob"], "The offsite", "The offsite.")),
        ("email Ada and Bob about Friday's demo saying slides are in the drive", compose(["Ada", "Bob"], "Friday's demo", "Slides are in the drive.")),
        ("Please email Ada Lovelace about the review", compose(["Ada Lovelace"], "The review", "The review.")),
        ("email Ada, Bob about the demo", compose(["Ada", "Bob"], "The demo", "The demo.")),
        ("email Ada and Bob Stone about the demo", compose(["Ada", "Bob Stone"], "The demo", "The demo.")),
        // Calendar: the agenda
        ("what's on my calendar tomorrow?", span((11, 28), (11, 29), "tomorrow")),
        ("what do I have today", span((11, 27), (11, 28), "today")),
        ("my agenda for this week", span((11, 27), (11, 30), "this week")),
        ("what's my schedule on Thursday", span((12, 3), (12, 4), "Thursday")),
        ("meetings next week", span((11, 30), (12, 7), "next week")),
        ("show my calendar for the weekend", span((11, 28), (11, 30), "this weekend")),
        ("what's happening on Monday?", span((11, 30), (12, 1), "Monday")),
        ("any meetings today", span((11, 27), (11, 28), "today")),
        // Calendar: free or busy
        ("am I free Thursday at 3?", .checkFree(start: at(12, 3, 15), end: at(12, 3, 16))),
        ("am I free tomorrow from 2 to 4", .checkFree(start: at(11, 28, 14), end: at(11, 28, 16))),
        ("am I busy at 9", .checkFree(start: at(11, 28, 9), end: at(11, 28, 10))),
        ("am I free tomorrow?", span((11, 28), (11, 29), "tomorrow")),
        // Calendar: creating
        ("lunch with Bob tomorrow 1pm for an hour", event("Lunch with Bob", at(11, 28, 13), at(11, 28, 14))),
        ("schedule a meeting with the team on Monday at 10am", event("Meeting with the team", at(11, 30, 10), at(11, 30, 11))),
        ("book a call with Carol Friday 3-4pm", event("Call with Carol", at(11, 27, 15), at(11, 27, 16))),
        ("add dentist appointment on Dec 3 at 9:30 for 45 minutes", event("Dentist appointment", at(12, 3, 9, 30), at(12, 3, 10, 15))),
        ("put focus time on my calendar tomorrow from 9 to 11", event("Focus time", at(11, 28, 9), at(11, 28, 11))),
        ("create an event called Launch party next Friday at 6pm", event("Launch party", at(12, 4, 18), at(12, 4, 19))),
        ("coffee with Dana at 4", event("Coffee with Dana", at(11, 27, 16), at(11, 27, 17))),
        ("schedule a sync with Ada tomorrow at 11 and invite ada@example.com", event("Sync with Ada", at(11, 28, 11), at(11, 28, 12), invite: ["ada@example.com"])),
        ("book a meeting on 2026-12-10 at 14:00 for 90 minutes", event("Meeting", at(12, 10, 14), at(12, 10, 15, 30))),
        // Tasks
        ("add a task to renew my passport by Friday", .addTask(title: "Renew my passport", due: "2026-11-27")),
        ("remind me to pay rent next Monday", .addTask(title: "Pay rent", due: "2026-11-30")),
        ("remind me to call mom tomorrow at 5", .addTask(title: "Call mom", due: "2026-11-28")),
        ("add buy milk to my todo list", .addTask(title: "Buy milk", due: nil)),
        ("new task: file the expense report due Dec 3", .addTask(title: "File the expense report", due: "2026-12-03")),
        ("what's on my to-do list", .listTasks),
        ("show my tasks", .listTasks),
        ("what do I need to do?", .listTasks),
        ("mark buy milk as done", .completeTask("buy milk")),
        // Keep
        ("show my notes", .listNotes),
        ("what's in keep", .listNotes),
        ("list my keep notes", .listNotes),
        // Contacts
        ("what's Bob's email address?", .findContact("Bob")),
        ("email address for Carol Wu", .findContact("Carol Wu")),
        ("look up Dana in my contacts", .findContact("Dana")),
        // More ways people put it
        ("when is my next meeting?", .agenda(DateSpan(start: now, end: at(12, 11), label: "in the next two weeks"))),
        ("did Alice reply?", .searchMail(mail(from: "Alice"))),
        ("find emails with attachments", .searchMail(mail(words: "has:attachment"))),
        ("any emails from my boss today", .searchMail(mail(since: at(11, 27)))),
        ("set a reminder for 5pm to call mom", .addTask(title: "Call mom", due: nil)),
        ("I need to buy milk tomorrow", .addTask(title: "Buy milk", due: "2026-11-28")),
        ("tasks due this week", .listTasks),
        ("create calendar event dinner at 7pm saturday", event("Dinner", at(11, 28, 19), at(11, 28, 20))),
        ("schedule lunch with Ann on Friday at noon", event("Lunch with Ann", at(11, 27, 12), at(11, 27, 13))),
        ("send a message to alice@example.com saying hi", compose(["alice@example.com"], "Hi", "Hi.")),
        // Small talk
        ("hello", .greeting),
        ("help", .help),
        ("what can you do?", .help),
    ]

    /// Messages it must not act on: refused, or answered with a question.
    static let refusals: [String] = [
        "delete all my emails from last year",
        "reply to Alice's last email",
        "forward the invoice to Bob",
        "cancel my meeting tomorrow",
        "create a note about the roadmap",
        "archive everything from the newsletter",
        "what is the capital of France?",
        "write a poem about autumn",
        "draft a reply to Carol",
        "delete task buy milk",
    ]
    static let questions: [String] = [
        "email bob",
        "send an email",
        "Send an email and create a task",
        "schedule a meeting tomorrow",
        "add a task",
    ]

    /// Phrasings the learned understanding step does not read yet (the rule parser it
    /// replaced did): too few examples like them in the data. Each is read as needing no
    /// service, never as something else; when one starts to be understood, this test says
    /// so and it moves to the table above.
    static let notYetUnderstood: [String] = [
        "what did Bob say?", "show me the most recent message", "do I have anything at 4pm",
        "complete the task water plants", "I finished the expense report", "what's my day look like",
    ]

    @Test(arguments: notYetUnderstood)
    func knownGapsAreAnsweredAsOpenQuestions(_ message: String) {
        #expect(Self.parser.parse(message) == .unsupported("open question"), "\(message) is understood now: move it to the table")
    }

    @Test(arguments: table)
    func understands(_ message: String, _ expected: Intent) {
        #expect(Self.parser.parse(message) == expected, "\(message)")
    }

    @Test(arguments: refusals)
    func refuses(_ message: String) {
        guard case .unsupported = Self.parser.parse(message) else {
            Issue.record("\(message) → \(Self.parser.parse(message))")
            return
        }
    }

    @Test(arguments: questions)
    func asksWhenSomethingIsMissing(_ message: String) {
        guard case .clarify = Self.parser.parse(message) else {
            Issue.record("\(message) → \(Self.parser.parse(message))")
            return
        }
    }

    @Test func gmailQueriesUseExactInstants() {
        let search = MailSearch(unreadOnly: true, from: "Ada Lovelace", words: "invoice", since: Self.at(11, 23))
        #expect(search.query == "is:unread from:\"Ada Lovelace\" after:\(Int(Self.at(11, 23).timeIntervalSince1970)) invoice")
        #expect(Self.at(11, 23).timeIntervalSince1970 == 1_795_388_400, "Monday 23 November, midnight in Berlin")
    }
}
