import Foundation

/// When an event starts or ends: an instant, or a whole day (Calendar's `date` form).
public enum EventTime: Equatable, Sendable {
    case instant(Date)
    /// "2026-11-27": a calendar day, the same day in every zone.
    case day(String)

    /// The instant this time begins in `zone` (a day begins at its local midnight).
    public func start(in time: LocalTime) -> Date {
        switch self {
        case let .instant(date): return date
        case let .day(day): return time.parse(day) ?? .distantPast
        }
    }
}

public struct CalendarEvent: Equatable, Sendable {
    public var id: String
    public var title: String
    public var start: EventTime
    public var end: EventTime
    public var location: String?
    public var attendees: [String]
    /// Transparent events (marked "free") do not make the user busy.
    public var busy: Bool
}

/// An event as the user confirms it before it is created.
public struct EventDraft: Equatable, Sendable, Codable {
    public var title: String
    public var start: Date
    public var end: Date
    public var attendees: [MailAddress]
    public var location: String?

    public init(title: String, start: Date, end: Date, attendees: [MailAddress] = [], location: String? = nil) {
        self.title = title
        self.start = start
        self.end = end
        self.attendees = attendees
        self.location = location
    }
}

/// Google Calendar's REST API on the user's primary calendar.
public struct CalendarClient: Sendable {
    public let google: GoogleClient
    public let time: LocalTime
    var base: String { google.api.calendar }
    static let eventsPath = "/calendars/primary/events"

    public init(_ google: GoogleClient, time: LocalTime) {
        self.google = google
        self.time = time
    }

    /// Events overlapping [from, to), recurring ones expanded, in start order.
    public func events(from: Date, to: Date, limit: Int = 50) async throws -> [CalendarEvent] {
        let query = [
            ("timeMin", time.rfc3339(from)), ("timeMax", time.rfc3339(to)),
            ("singleEvents", "true"), ("orderBy", "startTime"),
            ("maxResults", String(min(limit, 250))), ("timeZone", time.zone.identifier),
        ]
        let items = try await google.pages(.calendar, base: base, path: Self.eventsPath, query: query, itemsKey: "items", limit: limit)
        return items.compactMap(Self.event)
    }

    /// The busy events overlapping [from, to).
    public func conflicts(from: Date, to: Date) async throws -> [CalendarEvent] {
        try await events(from: from, to: to).filter(\.busy)
    }

    public func insert(_ draft: EventDraft) async throws -> CalendarEvent {
        var body: [String: JSONValue] = [
            "summary": .string(draft.title),
            "start": .object(["dateTime": .string(time.rfc3339(draft.start)), "timeZone": .string(time.zone.identifier)]),
            "end": .object(["dateTime": .string(time.rfc3339(draft.end)), "timeZone": .string(time.zone.identifier)]),
        ]
        if !draft.attendees.isEmpty {
            body["attendees"] = .array(draft.attendees.map { .object(["email": .string($0.email)]) })
        }
        if let location = draft.location { body["location"] = .string(location) }
        let json = try await google.call(.calendar, method: "POST", base: base, path: Self.eventsPath, body: .object(body))
        guard let event = Self.event(json) else { throw GoogleError.rejected(status: 200, message: "Calendar returned no event") }
        return event
    }

    static func event(_ json: JSONValue) -> CalendarEvent? {
        guard let id = json["id"]?.stringValue, !id.isEmpty, json["status"]?.stringValue != "cancelled",
              let start = eventTime(json["start"]), let end = eventTime(json["end"]) else { return nil }
        let attendees = (json["attendees"]?.arrayValue ?? []).compactMap { $0["email"]?.stringValue }
        return CalendarEvent(id: id, title: json["summary"]?.stringValue ?? "(no title)", start: start, end: end,
                             location: json["location"]?.stringValue, attendees: attendees,
                             busy: json["transparency"]?.stringValue != "transparent")
    }

    private static func eventTime(_ json: JSONValue?) -> EventTime? {
        if let dateTime = json?["dateTime"]?.stringValue, let date = LocalTime.utc.parse(dateTime) { return .instant(date) }
        if let day = json?["date"]?.stringValue, day.count == 10 { return .day(day) }
        return nil
    }
}
