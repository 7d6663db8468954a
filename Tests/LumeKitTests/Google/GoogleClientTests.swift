import Foundation
import LumeTestSupport
import Testing
@testable import LumeKit

/// The Google API clients against the fake Google over real HTTP: the paths, parameters
/// and bodies Google documents, paging, and what each kind of failure becomes.
@Suite struct GoogleClientTests {
    let directory = TemporaryDirectory("lume-google")
    let account: GoogleTestAccount
    let berlin = LocalTime(named: "Europe/Berlin")!
    let now = Date()

    init() throws {
        account = try GoogleTestAccount(directory: directory.path, services: Service.allCases)
    }

    var gmail: GmailClient { GmailClient(account.client()) }
    var calendar: CalendarClient { CalendarClient(account.client(), time: berlin) }
    var tasks: TasksClient { TasksClient(account.client()) }

    // MARK: Gmail

    @Test func searchesMailWithGmailsQueryAndReadsTheHeaders() async throws {
        account.api.addMail(.init(id: "m1", from: "Alice Smith <alice@example.com>", subject: "Old notes", body: "old", date: now.addingTimeInterval(-86400 * 10), unread: true))
        account.api.addMail(.init(id: "m2", from: "Alice Smith <alice@example.com>", subject: "Standup notes", body: "Here's the plan & more", date: now.addingTimeInterval(-3600), unread: true))
        account.api.addMail(.init(id: "m3", from: "Bob <bob@example.com>", subject: "Lunch?", body: "hungry", date: now.addingTimeInterval(-60), unread: true))
        account.api.addMail(.init(id: "m4", from: "Alice Smith <alice@example.com>", subject: "Read already", body: "x", date: now.addingTimeInterval(-120)))

        let found = try await gmail.search("is:unread from:alice newer_than:7d", limit: 10)
        #expect(found.map(\.id) == ["m2"])
        let mail = try #require(found.first)
        #expect(mail.from == "Alice Smith <alice@example.com>")
        #expect(mail.subject == "Standup notes")
        #expect(mail.unread)
        #expect(mail.snippet == "Here's the plan & more", "Gmail's HTML entities are decoded")
        #expect(abs((mail.date ?? .distantPast).timeIntervalSince(now.addingTimeInterval(-3600))) < 1)

        let list = try #require(account.requests("/gmail/v1/users/me/messages").first)
        #expect(list.path == "/gmail/v1/users/me/messages")
        #expect(list.query["q"] == "is:unread from:alice newer_than:7d")
        #expect(list.query["maxResults"] == "10")
        let get = try #require(account.requests("/gmail/v1/users/me/messages/m2").first)
        #expect(get.query["format"] == "metadata")
        #expect(get.queryValues("metadataHeaders") == ["From", "To", "Subject", "Date"])
        #expect(get.header("Authorization")?.hasPrefix("Bearer ya29.") == true)

        let all = try await gmail.search("", limit: 10)
        #expect(all.map(\.id) == ["m3", "m4", "m2", "m1"], "newest first, as Gmail lists")
    }

    @Test func followsPageTokensUpToTheLimit() async throws {
        for index in 0..<7 {
            account.api.addMail(.init(id: "p\(index)", from: "x@example.com", subject: "s\(index)", body: "b", date: now.addingTimeInterval(Double(-index))))
        }
        account.api.maxPageSize = 3
        let five = try await gmail.search("", limit: 5)
        #expect(five.map(\.id) == ["p0", "p1", "p2", "p3", "p4"])
        let lists = account.requests("/gmail/v1/users/me/messages").filter { $0.path == "/gmail/v1/users/me/messages" }
        #expect(lists.map { $0.query["pageToken"] } == [nil, "3"])
        let everything = try await gmail.search("", limit: 50)
        #expect(everything.count == 7)
    }

    @Test func readsAPlainTextBodyAndReducesHTMLOnlyMail() async throws {
        account.api.addMail(.init(id: "plain", from: "a@example.com", subject: "Plain", body: "Line one\nLine two ünïcode", date: now))
        account.api.addMail(.init(id: "html", from: "b@example.com", subject: "Fancy", body: "<p>Hello <b>Ada</b> &amp; team</p><script>x()</script><p>Bye</p>", html: true, date: now))
        let plain = try await gmail.message(id: "plain")
        #expect(plain.body == "Line one\nLine two ünïcode")
        #expect(account.requests("/gmail/v1/users/me/messages/plain").last?.query["format"] == "full")
        let html = try await gmail.message(id: "html")
        #expect(html.body == "Hello Ada & team\n\nBye", "paragraphs keep a blank line between them; scripts vanish")
        await #expect(throws: GoogleError.notFound("/users/me/messages/nope")) { try await gmail.message(id: "nope") }
    }

    @Test func sendsAnRFC2822MessageThatParsesBack() async throws {
        let draft = EmailDraft(to: [MailAddress("bob@example.com", name: "Bob Ñúñez"), MailAddress("eve@example.com")],
                               subject: "Notes from today’s standup — résumé ✓ and a long tail that needs more than one encoded word to fit",
                               body: "Hi Bob,\nthe notes: café at 10.\n\n— Ada")
        let id = try await gmail.send(draft, from: MailAddress("ada@example.com", name: "Ada Lovelace"))
        #expect(!id.isEmpty)
        let sent = try #require(account.api.sent.first)
        #expect(sent.headers["to"] == "Bob Ñúñez <bob@example.com>, eve@example.com")
        #expect(sent.headers["subject"] == draft.subject)
        #expect(sent.headers["from"] == "Ada Lovelace <ada@example.com>")
        #expect(sent.body == "Hi Bob,\r\nthe notes: café at 10.\r\n\r\n— Ada")
        #expect(sent.rawHeaders["subject"]?.hasPrefix("=?UTF-8?B?") == true)
        #expect(sent.rawHeaders["content-type"] == "text/plain; charset=\"UTF-8\"")
        // Every line ends in CRLF and no line is longer than RFC 5322's 78-character advice.
        #expect(!sent.raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(sent.raw.components(separatedBy: "\r\n").filter { $0.count > 78 } == [])
        let request = try #require(account.requests("/gmail/v1/users/me/messages/send").first)
        #expect(request.method == "POST")
        #expect(request.header("Content-Type") == "application/json; charset=utf-8")
        #expect(request.json["raw"]?.stringValue?.contains("+") == false, "base64url, not base64")
    }

    @Test func userTextCannotAddHeaders() async throws {
        let draft = EmailDraft(to: [MailAddress("bob@example.com")], subject: "Hello\r\nBcc: eve@evil.example", body: "x")
        try await gmail.send(draft, from: nil)
        let sent = try #require(account.api.sent.first)
        #expect(sent.headers["bcc"] == nil)
        #expect(sent.headers["subject"] == "Hello Bcc: eve@evil.example")
    }

    @Test func listsLabels() async throws {
        let labels = try await gmail.labels()
        #expect(labels.contains(MailLabel(id: "Label_1", name: "Receipts", system: false)))
        #expect(labels.contains(MailLabel(id: "INBOX", name: "INBOX", system: true)))
    }

    // MARK: Calendar

    @Test func listsADayOfEventsWithOffsetsAndExpandedRecurrences() async throws {
        account.api.addEvent(.init(id: "e1", summary: "Standup", start: "2026-11-27T09:00:00+01:00", end: "2026-11-27T09:15:00+01:00"))
        account.api.addEvent(.init(id: "e2", summary: "Late call", start: "2026-11-27T23:30:00+01:00", end: "2026-11-28T00:30:00+01:00"))
        account.api.addEvent(.init(id: "e3", summary: "Tomorrow", start: "2026-11-28T10:00:00+01:00", end: "2026-11-28T11:00:00+01:00"))
        account.api.addEvent(.init(id: "e4", summary: "Offsite", day: "2026-11-27", endDay: "2026-11-28"))
        account.api.addEvent(.init(id: "e5", summary: "Focus", start: "2026-11-27T14:00:00Z", end: "2026-11-27T15:00:00Z", transparent: true))

        let day = berlin.date(year: 2026, month: 11, day: 27)
        let events = try await calendar.events(from: day, to: berlin.adding(days: 1, to: day))
        #expect(events.map(\.id) == ["e4", "e1", "e5", "e2"])
        #expect(events[0].start == .day("2026-11-27"))
        #expect(events[1].start == .instant(berlin.date(year: 2026, month: 11, day: 27, hour: 9)))
        #expect(events.first { $0.id == "e5" }?.busy == false)

        let request = try #require(account.requests("/calendar/v3/calendars/primary/events").first)
        #expect(request.query["timeMin"] == "2026-11-27T00:00:00+01:00")
        #expect(request.query["timeMax"] == "2026-11-28T00:00:00+01:00")
        #expect(request.query["singleEvents"] == "true")
        #expect(request.query["orderBy"] == "startTime")
        #expect(request.query["timeZone"] == "Europe/Berlin")

        let busy = try await calendar.conflicts(from: berlin.date(year: 2026, month: 11, day: 27, hour: 15), to: berlin.date(year: 2026, month: 11, day: 27, hour: 16))
        #expect(busy.map(\.id) == ["e4"], "the all-day event blocks the day; the transparent one does not")
    }

    @Test func createsAnEventInTheLocalZone() async throws {
        let start = berlin.date(year: 2026, month: 3, day: 29, hour: 13)
        let draft = EventDraft(title: "Lunch with Bob", start: start, end: start.addingTimeInterval(3600), attendees: [MailAddress("bob@example.com")])
        let event = try await calendar.insert(draft)
        #expect(event.title == "Lunch with Bob")
        #expect(event.start == .instant(start))
        let body = try #require(account.requests("/calendar/v3").last?.json)
        #expect(body["summary"]?.stringValue == "Lunch with Bob")
        #expect(body["start"]?["dateTime"]?.stringValue == "2026-03-29T13:00:00+02:00", "summer time began that morning")
        #expect(body["end"]?["dateTime"]?.stringValue == "2026-03-29T14:00:00+02:00")
        #expect(body["start"]?["timeZone"]?.stringValue == "Europe/Berlin")
        #expect(body["attendees"] == .array([.object(["email": .string("bob@example.com")])]))
        #expect(account.api.events.count == 1)
    }

    // MARK: Tasks

    @Test func listsAddsAndCompletesTasks() async throws {
        account.api.addTask(title: "Water plants", due: "2026-11-28")
        account.api.addTask(title: "File taxes")
        account.api.addTaskList(id: "work", title: "Work")
        let lists = try await tasks.lists()
        #expect(lists.map(\.title) == ["My Tasks", "Work"])
        let list = try await tasks.defaultList()
        let open = try await tasks.tasks(in: list)
        #expect(open.map(\.title) == ["Water plants", "File taxes"])
        #expect(open[0].due == "2026-11-28", "the date part only, never shifted by a zone")
        #expect(account.requests("/tasks/v1/lists/MTYwNDIx/tasks").first?.query["showCompleted"] == "false")

        let added = try await tasks.insert(TaskDraft(title: "Send invoice", due: "2026-12-01"), into: list)
        #expect(added.title == "Send invoice")
        #expect(added.due == "2026-12-01")
        #expect(account.api.tasks().last?["due"]?.stringValue == "2026-12-01T00:00:00.000Z")

        let done = try await tasks.complete(open[0])
        #expect(done.completed)
        let patch = try #require(account.requests("/tasks/v1/lists/MTYwNDIx/tasks/").last)
        #expect(patch.method == "PATCH")
        #expect(patch.json == .object(["status": .string("completed")]))
        #expect(try await tasks.tasks(in: list).map(\.title) == ["File taxes", "Send invoice"])
    }

    // MARK: Keep and People

    @Test func readsKeepNotesOrSaysKeepIsUnavailable() async throws {
        account.api.addNote(title: "Ideas", text: "A terminal assistant")
        let keep = KeepClient(account.client())
        #expect(try await keep.notes() == [KeepNote(name: "notes/id1001", title: "Ideas", text: "A terminal assistant")])
        #expect(account.requests("/keep/v1/notes").first?.query["filter"] == "trashed=false")
        account.google.keepUnavailable = true
        await #expect(throws: GoogleError.unavailable(.keep)) { try await keep.notes() }
        #expect(GoogleError.unavailable(.keep).description == "Keep is not available for this account (Google offers the Keep API to Workspace accounts only)")
    }

    @Test func looksUpContacts() async throws {
        account.api.addPerson(.init("Bob Stone", "bob@example.com"))
        account.api.addPerson(.init("Bobby Tables", "bobby@example.org", "tables@example.org"))
        account.api.addPerson(.init("Carol Wu", "carol@example.com"))
        let people = PeopleClient(account.client())
        #expect(try await people.me() == Contact(name: "Ada Lovelace", emails: ["ada@example.com"]))
        try await people.warmUp()
        #expect(account.api.warmUps == 1)
        let bobs = try await people.search("bob")
        #expect(bobs.map(\.name) == ["Bob Stone", "Bobby Tables"])
        #expect(bobs[1].emails == ["bobby@example.org", "tables@example.org"])
        let search = try #require(account.requests("/people/v1/people:searchContacts").last)
        #expect(search.query["readMask"] == "names,emailAddresses")
        account.api.maxPageSize = 2
        #expect(try await people.connections().map(\.name) == ["Bob Stone", "Bobby Tables", "Carol Wu"])
        #expect(account.requests("/people/v1/people/me/connections").count == 2)
    }

    // MARK: Failures

    @Test func a401RefreshesOnceAndRetries() async throws {
        let before = try #require(try account.database.tokens(for: account.user.id!, vault: account.vault))
        account.google.expire(accessToken: before.accessToken)
        let log = GoogleCallLog()
        let labels = try await GmailClient(account.client(log: log)).labels()
        #expect(!labels.isEmpty)
        #expect(account.google.refreshes == 1)
        #expect(log.calls == ["GET /users/me/labels 401", "GET /users/me/labels 200"])
        let after = try #require(try account.database.tokens(for: account.user.id!, vault: account.vault))
        #expect(after.accessToken != before.accessToken, "the new token is stored")

        // When the refreshed token is refused too, the user is told to sign in again.
        account.google.expire(accessToken: after.accessToken)
        account.google.failRefresh = true
        await #expect(throws: GoogleError.self) { try await GmailClient(account.client()).labels() }
        do {
            _ = try await GmailClient(account.client()).labels()
        } catch let error as GoogleError {
            guard case .signInRequired = error else { Issue.record("got \(error)"); return }
            #expect(error.description.contains("lume-tui login"))
        }
    }

    @Test func aMissingScopeNamesTheServiceToGrant() async throws {
        let directory = TemporaryDirectory("lume-scopes")
        let limited = try GoogleTestAccount(directory: directory.path, services: [.calendar])
        await #expect(throws: GoogleError.insufficientScope(.email)) { try await GmailClient(limited.client()).search("") }
        await #expect(throws: GoogleError.insufficientScope(.tasks)) { try await TasksClient(limited.client()).lists() }
        _ = try await CalendarClient(limited.client(), time: berlin).events(from: now, to: now.addingTimeInterval(3600))
        #expect(GoogleError.insufficientScope(.email).description == "lume-tui has no permission for email yet")
    }

    @Test func backsOffOn429And5xxHonouringRetryAfter() async throws {
        account.api.fail("/users/me/labels", status: 429, times: 2, retryAfter: "0")
        let log = GoogleCallLog()
        #expect(try await !GmailClient(account.client(log: log)).labels().isEmpty)
        #expect(log.calls == ["GET /users/me/labels 429", "GET /users/me/labels 429", "GET /users/me/labels 200"])

        account.api.fail("/users/me/labels", status: 503, times: 10)
        do {
            _ = try await GmailClient(account.client()).labels()
            Issue.record("should have failed")
        } catch let error as GoogleError {
            #expect(error == .server(status: 503, message: "Backend Error"))
            #expect(!error.description.contains("{"), "plain words, not JSON")
        }
        #expect(account.requests("/gmail/v1/users/me/labels").count == 3 + 4, "one try and three retries")

        // Asked to wait longer than lume-tui will: no retry, and the error says until when.
        account.api.fail("/users/@me/lists", status: 429, times: 10, retryAfter: "600")
        let before = account.requests("/tasks/v1/users/@me/lists").count
        do {
            _ = try await TasksClient(account.client()).lists()
            Issue.record("should have failed")
        } catch let GoogleError.rateLimited(until) {
            let wait = try #require(until).timeIntervalSinceNow
            #expect(wait > 590 && wait <= 600)
            #expect(GoogleError.rateLimited(until: until).description.hasPrefix("Google asked to wait 10 minutes; try again after "))
        }
        #expect(account.requests("/tasks/v1/users/@me/lists").count == before + 1, "no retry that could not succeed")
    }

    /// A Retry-After longer than the exponential steps is obeyed, not cut short, and the
    /// wait is announced to whoever listens for the reply.
    @Test func aRetryAfterBeyondTheBackoffIsHonouredAndAnnounced() async throws {
        account.api.fail("/users/me/labels", status: 429, times: 1, retryAfter: "1")
        let policy = RetryPolicy(attempts: 3, baseDelay: 0.01, maxDelay: 0.05, longestWait: 5, announceFrom: 0.5)
        let heard = NoticeRecorder()
        let started = Date()
        let labels = try await RetryWaits.listening({ heard.add($0) }) {
            try await GmailClient(account.client(retry: policy)).labels()
        }
        #expect(!labels.isEmpty)
        #expect(Date().timeIntervalSince(started) >= 1, "waited the whole second Google asked for")
        let (notice, heardAt) = try #require(heard.notices.first)
        #expect(notice.who == "Google")
        #expect(abs(notice.until.timeIntervalSince(heardAt) - 1) < 0.2, "announced as the wait began, ending when it ends")
        #expect(notice.sentence(now: heardAt, clock: { _ in "14:32" }) == "Google asked to wait 1 second; trying again at 14:32")
    }

    @Test func retryDecisionsGrowRespectRetryAfterAndStopAtTheBound() {
        let policy = RetryPolicy(attempts: 5, baseDelay: 1, maxDelay: 20, longestWait: 300)
        let now = Date(timeIntervalSince1970: 1_445_412_400)  // Wed, 21 Oct 2015 07:26:40 GMT
        #expect((1...5).map { policy.decide(attempt: $0, retryAfter: nil, now: now) } == [1, 2, 4, 8, 16].map { .wait($0) })
        #expect(policy.decide(attempt: 6, retryAfter: nil, now: now) == .giveUp(until: nil))
        #expect(policy.decide(attempt: 1, retryAfter: "7", now: now) == .wait(7))
        #expect(policy.decide(attempt: 1, retryAfter: "120", now: now) == .wait(120), "honoured beyond the backoff's cap")
        #expect(policy.decide(attempt: 1, retryAfter: "301", now: now) == .giveUp(until: now.addingTimeInterval(301)))
        #expect(policy.decide(attempt: 1, retryAfter: "Wed, 21 Oct 2015 07:28:00 GMT", now: now) == .wait(80), "an HTTP date")
        #expect(policy.decide(attempt: 6, retryAfter: "30", now: now) == .giveUp(until: now.addingTimeInterval(30)))
        #expect(policy.decide(attempt: 2, retryAfter: "soon", now: now) == .wait(2), "unreadable: exponential")
        #expect(RetryWaits.duration(45) == "45 seconds")
        #expect(RetryWaits.duration(60) == "1 minute")
        #expect(RetryWaits.duration(119.2) == "2 minutes")
        #expect(RetryWaits.duration(3900) == "1 hour 5 minutes")
    }

    @Test func unreachableGoogleIsANetworkError() async throws {
        let closed = ClosedPort()
        var api = account.config.googleAPI
        api.gmail = closed.baseURL + "/gmail/v1"
        let client = GoogleClient(http: CurlHTTPClient(), tokens: account.tokens, userID: account.user.id!, api: api)
        do {
            _ = try await GmailClient(client).labels()
            Issue.record("should have failed")
        } catch let error as GoogleError {
            guard case .network = error else { Issue.record("got \(error)"); return }
            #expect(error.description.hasPrefix("cannot reach Google"))
        }
    }
}

/// Collects the waits announced during a call.
final class NoticeRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [(RetryNotice, Date)] = []
    func add(_ notice: RetryNotice) { lock.withLock { recorded.append((notice, Date())) } }
    /// Each notice with when it was heard.
    var notices: [(RetryNotice, Date)] { lock.withLock { recorded } }
}
