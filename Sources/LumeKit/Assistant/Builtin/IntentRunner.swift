import Foundation

/// Carries out one understood request against the user's Google data: reads answer at
/// once, writes come back as a draft (`Reply.proposal`) for the user to confirm.
struct IntentRunner {
    let session: GoogleSession
    let time: LocalTime
    let now: Date

    typealias Reply = BuiltinAssistant.Reply

    func run(_ intent: Intent) async throws -> Reply {
        switch intent {
        case let .searchMail(search): return try await searchMail(search)
        case let .readMail(search): return try await readMail(search)
        case let .composeMail(request): return try await compose(request)
        case let .agenda(span): return try await agenda(span)
        case let .checkFree(start, end): return try await checkFree(start, end)
        case let .createEvent(request): return try await createEvent(request)
        case .listTasks: return try await listTasks()
        case let .addTask(title, due): return try await addTask(title, due: due)
        case let .completeTask(title): return try await completeTask(title)
        case .listNotes: return try await listNotes()
        case let .findContact(name): return try await findContact(name)
        case .greeting, .help, .unsupported, .clarify: return Reply(text: "")
        }
    }

    // MARK: Mail

    private func searchMail(_ search: MailSearch) async throws -> Reply {
        let query = search.query
        let found = try await session.gmail.search(query, limit: 10)
        let described = query.isEmpty ? "in your mailbox" : "matching `\(query)`"
        guard !found.isEmpty else { return Reply(text: "No mail \(described).") }
        var lines = ["**\(found.count == 10 ? "The 10 newest messages" : "\(found.count) message\(found.count == 1 ? "" : "s")")** \(described):", ""]
        for (index, mail) in found.enumerated() {
            let when = mail.date.map { time.describe($0) } ?? ""
            lines.append("\(index + 1). **\(mail.subject.isEmpty ? "(no subject)" : mail.subject)** — \(Self.sender(mail.from)), \(when)\(mail.unread ? " · unread" : "")")
            if !mail.snippet.isEmpty { lines.append("   \(mail.snippet)") }
        }
        return Reply(text: lines.joined(separator: "\n"))
    }

    private func readMail(_ search: MailSearch) async throws -> Reply {
        guard let newest = try await session.gmail.search(search.query, limit: 1).first else {
            return Reply(text: "No mail matching `\(search.query)`.")
        }
        let message = try await session.gmail.message(id: newest.id)
        let summary = message.summary
        var body = message.body.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.count > 4000 { body = String(body.prefix(4000)) + "\n\n… (the rest is in Gmail)" }
        let lines = [
            "**\(summary.subject.isEmpty ? "(no subject)" : summary.subject)**",
            "From: \(summary.from)", "To: \(summary.to)",
            "Date: \(summary.date.map { time.describe($0) } ?? "unknown")", "", body.isEmpty ? "(no text)" : body,
        ]
        return Reply(text: lines.joined(separator: "\n"))
    }

    /// "Alice Smith <alice@example.com>" → "Alice Smith".
    static func sender(_ from: String) -> String {
        guard let address = MailAddress.parseList(from).first else { return from }
        return address.name ?? address.email
    }

    private func compose(_ request: ComposeRequest) async throws -> Reply {
        switch try await resolve(request.recipients) {
        case let .failure(question):
            return Reply(text: question.text)
        case let .success(addresses):
            let draft = EmailDraft(to: addresses, subject: request.subject, body: request.body)
            return propose(.sendEmail(draft))
        }
    }

    // MARK: Contacts

    struct Question: Error { let text: String }

    /// Names to addresses through Contacts; an unknown or ambiguous name becomes a question.
    func resolve(_ names: [String]) async throws -> Result<[MailAddress], Question> {
        var addresses: [MailAddress] = []
        var warmed = false
        for name in names {
            if name.lowercased() == "me" {
                addresses.append(session.me)
                continue
            }
            if MailAddress.isPlausible(name) {
                addresses.append(MailAddress(name))
                continue
            }
            if !warmed {
                try await session.people.warmUp()
                warmed = true
            }
            let candidates = try await session.people.search(name).flatMap { contact in contact.emails.map { MailAddress($0, name: contact.name) } }
            let exact = candidates.filter { $0.name?.lowercased() == name.lowercased() }
            if candidates.count == 1 || (exact.count == 1) {
                addresses.append(exact.first ?? candidates[0])
            } else if candidates.isEmpty {
                return .failure(Question(text: "I could not find “\(name)” in your contacts. Say it again with the address, for example \"email \(name.lowercased())@example.com …\"."))
            } else {
                let options = candidates.prefix(6).map { "- \($0)" }.joined(separator: "\n")
                return .failure(Question(text: "Which “\(name)” do you mean?\n\n\(options)\n\nSay it again with the address you want."))
            }
        }
        return .success(addresses)
    }

    private func findContact(_ name: String) async throws -> Reply {
        try await session.people.warmUp()
        let found = try await session.people.search(name)
        guard !found.isEmpty else { return Reply(text: "No contact matches “\(name)”.") }
        let lines = found.map { contact in "- **\(contact.name)**: " + (contact.emails.isEmpty ? "no email address" : contact.emails.joined(separator: ", ")) }
        return Reply(text: lines.joined(separator: "\n"))
    }

    // MARK: Calendar

    private func agenda(_ span: DateSpan) async throws -> Reply {
        let events = try await session.calendar.events(from: span.start, to: span.end)
        guard !events.isEmpty else { return Reply(text: "Nothing on your calendar \(Self.phrase(span.label)).") }
        var lines: [String] = []
        var day = ""
        for event in events {
            let start = event.start.start(in: time)
            let eventDay = time.describe(max(start, span.start), withTime: false)
            if eventDay != day {
                if !lines.isEmpty { lines.append("") }
                lines.append("**\(eventDay)**")
                day = eventDay
            }
            lines.append("- " + Self.when(event, time) + " " + event.title + (event.location.map { " (\($0))" } ?? ""))
        }
        return Reply(text: lines.joined(separator: "\n"))
    }

    /// "today", "this week", "between …" read as they are; a day name takes "on".
    static func phrase(_ label: String) -> String {
        ["today", "tomorrow", "tonight"].contains(label) || ["this ", "next ", "between ", "from ", "in "].contains(where: label.hasPrefix) ? label : "on " + label
    }

    /// "09:00–09:15", or "all day".
    static func when(_ event: CalendarEvent, _ time: LocalTime) -> String {
        switch (event.start, event.end) {
        case let (.instant(start), .instant(end)): return time.clock(start) + "–" + time.clock(end)
        default: return "all day:"
        }
    }

    private func checkFree(_ start: Date, _ end: Date) async throws -> Reply {
        let busy = try await session.calendar.conflicts(from: start, to: end)
        let slot = EventFormat.range(start, end, time)
        guard !busy.isEmpty else { return Reply(text: "Yes — you are free \(slot).") }
        let lines = busy.map { "- " + Self.when($0, time) + " " + $0.title }
        return Reply(text: "No — \(slot) overlaps:\n\n" + lines.joined(separator: "\n"))
    }

    private func createEvent(_ request: EventRequest) async throws -> Reply {
        var invitees: [MailAddress] = []
        if !request.invitees.isEmpty {
            switch try await resolve(request.invitees) {
            case let .failure(question): return Reply(text: question.text)
            case let .success(addresses): invitees = addresses
            }
        }
        var reply = propose(.createEvent(EventDraft(title: request.title, start: request.start, end: request.end, attendees: invitees)))
        let clashes = try await session.calendar.conflicts(from: request.start, to: request.end)
        if !clashes.isEmpty {
            reply.text += "\n\nNote: it overlaps " + clashes.map { "**\($0.title)** (\(Self.when($0, time)))" }.joined(separator: ", ") + "."
        }
        return reply
    }

    // MARK: Tasks and notes

    private func listTasks() async throws -> Reply {
        let list = try await session.tasks.defaultList()
        let open = try await session.tasks.tasks(in: list)
        guard !open.isEmpty else { return Reply(text: "No open tasks in \(list.title).") }
        // Dated tasks first, soonest first; the rest in Google's order.
        let sorted = open.enumerated().sorted { a, b in
            switch (a.element.due, b.element.due) {
            case let (x?, y?): return x == y ? a.offset < b.offset : x < y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
        let today = time.day(now)
        let lines = sorted.map { task -> String in
            var line = "- [ ] " + task.title
            if let due = task.due, let date = time.parse(due) {
                line += due < today ? " (**overdue**, \(time.describe(date, withTime: false)))" : due == today ? " (due today)" : " (due \(time.describe(date, withTime: false)))"
            }
            return line
        }
        return Reply(text: "**\(list.title)** — \(open.count) open:\n\n" + lines.joined(separator: "\n"))
    }

    private func addTask(_ title: String, due: String?) async throws -> Reply {
        let list = try await session.tasks.defaultList()
        return propose(.addTask(TaskDraft(title: title, due: due), list: list))
    }

    private func completeTask(_ title: String) async throws -> Reply {
        let list = try await session.tasks.defaultList()
        let open = try await session.tasks.tasks(in: list)
        let wanted = Self.comparable(title)
        let exact = open.filter { Self.comparable($0.title) == wanted }
        let partial = open.filter { Self.comparable($0.title).contains(wanted) || (wanted.contains(Self.comparable($0.title)) && !$0.title.isEmpty) }
        let matches = exact.isEmpty ? partial : exact
        switch matches.count {
        case 0:
            return Reply(text: "No open task matches “\(title)”. Say \"show my tasks\" to see them.")
        case 1:
            return propose(.completeTask(matches[0]))
        default:
            return Reply(text: "More than one task matches “\(title)”:\n\n" + matches.map { "- " + $0.title }.joined(separator: "\n") + "\n\nSay which one, with more of its title.")
        }
    }

    /// Lowercased, without a leading article, for matching a title the user half-remembers.
    static func comparable(_ title: String) -> String {
        var text = title.lowercased().trimmingCharacters(in: .whitespaces)
        for article in ["the ", "a ", "an ", "my "] where text.hasPrefix(article) { text = String(text.dropFirst(article.count)) }
        return text
    }

    private func listNotes() async throws -> Reply {
        let notes = try await session.keep.notes(limit: 20)
        guard !notes.isEmpty else { return Reply(text: "You have no notes in Keep.") }
        let lines = notes.map { note -> String in
            let text = note.text.split(separator: "\n").prefix(3).joined(separator: " · ")
            return "- **\(note.title.isEmpty ? "(untitled)" : note.title)**" + (text.isEmpty ? "" : ": " + (text.count > 160 ? String(text.prefix(159)) + "…" : text))
        }
        return Reply(text: lines.joined(separator: "\n"))
    }

    // MARK: Drafts

    /// The reply that shows a draft and asks for confirmation.
    private func propose(_ action: PendingAction) -> Reply {
        Reply(text: Self.draftText(action, time), proposal: action)
    }

    static func draftText(_ action: PendingAction, _ time: LocalTime, edited: Bool = false) -> String {
        let draft = action.draftLines(time).map { $0.isEmpty ? ">" : "> " + $0 }.joined(separator: "\n")
        return "Here is the \(edited ? "edited " : "")draft:\n\n\(draft)\n\n\(action.question) Nothing happens until you confirm."
    }
}
