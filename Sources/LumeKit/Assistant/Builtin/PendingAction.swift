import Foundation

/// A write the assistant has drafted and the user has not yet confirmed. Stored in the
/// drafting reply's metadata, so the confirmation survives a restart and is done once.
public enum PendingAction: Equatable, Sendable, Codable {
    case sendEmail(EmailDraft)
    case createEvent(EventDraft)
    case addTask(TaskDraft, list: TaskList)
    case completeTask(TaskItem)

    /// The question the confirmation asks.
    public var question: String {
        switch self {
        case .sendEmail: return "Send this email?"
        case .createEvent: return "Create this event?"
        case .addTask: return "Add this task?"
        case .completeTask: return "Mark this task done?"
        }
    }

    /// The key word for "yes" in the confirmation ("send", "create").
    public var verb: String {
        switch self {
        case .sendEmail: return "send"
        case .createEvent: return "create"
        case .addTask: return "add"
        case .completeTask: return "mark done"
        }
    }

    /// The exact draft, one field per line, as shown before anything is done.
    public func draftLines(_ time: LocalTime) -> [String] {
        switch self {
        case let .sendEmail(draft):
            var lines = ["To: " + draft.to.map(\.description).joined(separator: ", ")]
            if !draft.cc.isEmpty { lines.append("Cc: " + draft.cc.map(\.description).joined(separator: ", ")) }
            lines.append("Subject: " + draft.subject)
            lines.append("")
            lines += draft.body.components(separatedBy: "\n")
            return lines
        case let .createEvent(draft):
            var lines = ["Event: " + draft.title, "When: " + EventFormat.range(draft.start, draft.end, time)]
            if !draft.attendees.isEmpty { lines.append("Invite: " + draft.attendees.map(\.description).joined(separator: ", ")) }
            if let location = draft.location { lines.append("Where: " + location) }
            return lines
        case let .addTask(draft, list):
            var lines = ["Task: " + draft.title, "List: " + list.title]
            lines.append("Due: " + (draft.due.flatMap { time.parse($0) }.map { time.describe($0, withTime: false) } ?? "no date"))
            if let notes = draft.notes { lines.append("Notes: " + notes) }
            return lines
        case let .completeTask(task):
            return ["Task: " + task.title] + (task.due.flatMap { time.parse($0) }.map { ["Due: " + time.describe($0, withTime: false)] } ?? [])
        }
    }

    // MARK: Editing

    /// The draft as text the user can change in an editor; nil when it is not editable
    /// that way (events and tasks are short enough to ask again).
    public var editableText: String? {
        guard case let .sendEmail(draft) = self else { return nil }
        var lines = ["To: " + draft.to.map(\.description).joined(separator: ", ")]
        if !draft.cc.isEmpty { lines.append("Cc: " + draft.cc.map(\.description).joined(separator: ", ")) }
        lines.append("Subject: " + draft.subject)
        return lines.joined(separator: "\n") + "\n\n" + draft.body + "\n"
    }

    /// Reads an edited draft back: header lines, a blank line, the body. Addresses must
    /// be plausible; a problem is described, and the old draft stays.
    public func revised(from text: String) -> Result<PendingAction, DraftEditProblem> {
        guard case .sendEmail = self else { return .failure(DraftEditProblem("only email drafts can be edited")) }
        var to: [MailAddress] = [], cc: [MailAddress] = [], subject: String?
        var lines = text.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")[...]
        while let line = lines.first, !line.trimmingCharacters(in: .whitespaces).isEmpty {
            lines = lines.dropFirst()
            guard let colon = line.firstIndex(of: ":") else { return .failure(DraftEditProblem("“\(line)” is not a To:, Cc: or Subject: line")) }
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            switch line[..<colon].lowercased() {
            case "to": to = MailAddress.parseList(value)
            case "cc": cc = MailAddress.parseList(value)
            case "subject": subject = value
            default: return .failure(DraftEditProblem("“\(line[..<colon])” is not a header lume-tui sends; use To:, Cc: and Subject:"))
            }
        }
        guard !to.isEmpty else { return .failure(DraftEditProblem("the edited draft has no recipients on its To: line")) }
        if let bad = (to + cc).first(where: { !MailAddress.isPlausible($0.email) }) {
            return .failure(DraftEditProblem("“\(bad.email)” is not an email address"))
        }
        var body = lines.dropFirst().joined(separator: "\n")
        while body.hasSuffix("\n") { body.removeLast() }
        guard !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return .failure(DraftEditProblem("the edited draft has no text")) }
        return .success(.sendEmail(EmailDraft(to: to, cc: cc, subject: subject ?? "", body: body)))
    }

    // MARK: Stored form

    static let metadataKey = "pending_action"
    static let statusKey = "action_status"

    public var json: JSONValue {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return (try? JSONDecoder().decode(JSONValue.self, from: encoder.encode(self))) ?? .null
    }

    public init?(json: JSONValue) {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        guard let data = try? JSONEncoder().encode(json), let action = try? decoder.decode(PendingAction.self, from: data) else { return nil }
        self = action
    }

    /// The action a stored reply proposes and where it stands, if it proposes one.
    public static func of(_ message: Message) -> (action: PendingAction, status: ActionStatus)? {
        let metadata = JSONValue.parse(message.metadata)
        guard let stored = metadata[metadataKey], let action = PendingAction(json: stored) else { return nil }
        return (action, metadata[statusKey]?.stringValue.flatMap(ActionStatus.init) ?? .pending)
    }
}

/// Why an edited draft was not taken.
public struct DraftEditProblem: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Where a proposed action stands.
public enum ActionStatus: String, Sendable, Equatable {
    case pending
    /// Confirmed and being carried out (a crash here leaves it so: it is not retried blindly).
    case performing
    case done
    case declined
    case failed
}

/// How events and times read in replies.
enum EventFormat {
    /// "Sat 28 Nov 13:00–14:00", or both ends in full when they fall on different days.
    static func range(_ start: Date, _ end: Date, _ time: LocalTime) -> String {
        time.day(start) == time.day(end) || end == time.adding(days: 1, to: time.startOfDay(start)) && time.clock(end) == "00:00"
            ? time.describe(start) + "–" + time.clock(end)
            : time.describe(start) + " – " + time.describe(end)
    }
}
