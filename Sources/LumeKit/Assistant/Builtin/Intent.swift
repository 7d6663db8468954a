import Foundation

/// What the built-in assistant understood a message to ask for. Pure data: parsing makes
/// one, `BuiltinAssistant` carries it out.
public enum Intent: Equatable, Sendable {
    case searchMail(MailSearch)
    /// Open the newest message matching the search.
    case readMail(MailSearch)
    case composeMail(ComposeRequest)
    case agenda(DateSpan)
    case checkFree(start: Date, end: Date)
    case createEvent(EventRequest)
    case listTasks
    case addTask(title: String, due: String?)
    case completeTask(String)
    case listNotes
    case findContact(String)
    case greeting
    case help
    /// Something it will not do, and why.
    case unsupported(String)
    /// It needs more from the user first; the question to ask.
    case clarify(String)
}

/// A Gmail search in parts, turned into Gmail's query syntax by `query`.
public struct MailSearch: Equatable, Sendable {
    public var unreadOnly = false
    public var from: String?
    public var words: String?
    /// Only mail received at or after this instant.
    public var since: Date?

    public init(unreadOnly: Bool = false, from: String? = nil, words: String? = nil, since: Date? = nil) {
        self.unreadOnly = unreadOnly
        self.from = from
        self.words = words
        self.since = since
    }

    /// "is:unread from:alice after:1764111600". The time bound is in epoch seconds: Gmail
    /// reads a bare date in Pacific time, seconds are exact in every zone.
    public var query: String {
        var terms: [String] = []
        if unreadOnly { terms.append("is:unread") }
        if let from { terms.append("from:" + (from.contains(" ") ? "\"\(from)\"" : from)) }
        if let since { terms.append("after:\(Int(since.timeIntervalSince1970))") }
        if let words, !words.isEmpty { terms.append(words) }
        return terms.joined(separator: " ")
    }
}

public struct ComposeRequest: Equatable, Sendable {
    /// Names or addresses as the user wrote them ("Ada", "bob@example.com", "me").
    public var recipients: [String]
    public var subject: String
    public var body: String
}

public struct EventRequest: Equatable, Sendable {
    public var title: String
    public var start: Date
    public var end: Date
    /// People to invite (names or addresses), only when the user said "invite".
    public var invitees: [String]
}

/// A stretch of local days, with the words to describe it ("today", "this week").
public struct DateSpan: Equatable, Sendable {
    public var start: Date
    public var end: Date
    public var label: String
}

extension Intent {
    /// The details read, as JSON for `detect --explain`: times in RFC 3339 with the local
    /// offset, people and titles as written.
    public func details(_ time: LocalTime) -> JSONValue {
        func date(_ value: Date) -> JSONValue { .string(time.rfc3339(value)) }
        func strings(_ values: [String]) -> JSONValue { .array(values.map(JSONValue.string)) }
        switch self {
        case let .searchMail(search), let .readMail(search):
            var fields: [String: JSONValue] = ["query": .string(search.query)]
            if let from = search.from { fields["from"] = .string(from) }
            if let since = search.since { fields["since"] = date(since) }
            return .object(fields)
        case let .composeMail(request):
            return .object(["to": strings(request.recipients), "subject": .string(request.subject), "body": .string(request.body)])
        case let .agenda(span):
            return .object(["from": date(span.start), "to": date(span.end), "label": .string(span.label)])
        case let .checkFree(start, end):
            return .object(["start": date(start), "end": date(end)])
        case let .createEvent(request):
            return .object(["title": .string(request.title), "start": date(request.start), "end": date(request.end), "invite": strings(request.invitees)])
        case let .addTask(title, due):
            return .object(["title": .string(title), "due": due.map(JSONValue.string) ?? .null])
        case let .completeTask(title):
            return .object(["title": .string(title)])
        case let .findContact(name):
            return .object(["name": .string(name)])
        case let .clarify(question):
            return .object(["question": .string(question)])
        case let .unsupported(reason):
            return .object(["reason": .string(reason)])
        case .listTasks, .listNotes, .greeting, .help:
            return .object([:])
        }
    }
}
