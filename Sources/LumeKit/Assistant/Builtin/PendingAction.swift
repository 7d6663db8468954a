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
