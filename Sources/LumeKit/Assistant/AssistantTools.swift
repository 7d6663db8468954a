import Foundation

/// The built-in assistant's Google actions offered to an LLM as tools (OpenAI function
/// calling). Each tool is an `Intent` with typed arguments, run by the same code as the
/// built-in assistant, so reads answer the same way and writes become the same drafts the
/// user must confirm. Only tools for granted services are offered.
public struct AssistantTools: Sendable {
    public let google: GoogleAccess
    public let time: LocalTime
    let now: @Sendable () -> Date

    public init(google: GoogleAccess, time: LocalTime, now: @escaping @Sendable () -> Date = Date.init) {
        self.google = google
        self.time = time
        self.now = now
    }

    struct Tool {
        let name: String
        let service: Service?
        let description: String
        let parameters: [String: (type: String, description: String)]
        let required: [String]
    }

    static let tools: [Tool] = [
        Tool(name: "search_mail", service: .email, description: "Search the user's Gmail; returns the newest matches with sender, subject, date and snippet.",
             parameters: ["query": ("string", "Gmail search syntax, e.g. 'is:unread from:alice newer_than:7d invoice'")], required: ["query"]),
        Tool(name: "read_mail", service: .email, description: "Open the newest message matching a Gmail search and return its full text.",
             parameters: ["query": ("string", "Gmail search syntax selecting the message")], required: ["query"]),
        Tool(name: "draft_email", service: .email, description: "Draft an email. The user sees the draft and decides whether to send it; nothing is sent by this tool.",
             parameters: ["to": ("array", "Recipients: email addresses, contact names, or 'me'"), "subject": ("string", "Subject line"), "body": ("string", "Plain-text body")],
             required: ["to", "subject", "body"]),
        Tool(name: "list_events", service: .calendar, description: "List calendar events between two times (recurring events expanded).",
             parameters: ["start": ("string", "RFC 3339 time or YYYY-MM-DD (local midnight)"), "end": ("string", "RFC 3339 time or YYYY-MM-DD, exclusive")],
             required: ["start", "end"]),
        Tool(name: "check_free", service: .calendar, description: "Say whether the user is free between two times, listing any clashing events.",
             parameters: ["start": ("string", "RFC 3339 time"), "end": ("string", "RFC 3339 time")], required: ["start", "end"]),
        Tool(name: "draft_event", service: .calendar, description: "Draft a calendar event. The user confirms before it is created.",
             parameters: ["title": ("string", "Event title"), "start": ("string", "RFC 3339 start"), "end": ("string", "RFC 3339 end"),
                          "invite": ("array", "Optional people to invite: addresses or contact names")],
             required: ["title", "start", "end"]),
        Tool(name: "list_tasks", service: .tasks, description: "List the user's open tasks with due dates.", parameters: [:], required: []),
        Tool(name: "draft_task", service: .tasks, description: "Draft a new task. The user confirms before it is added.",
             parameters: ["title": ("string", "Task title"), "due": ("string", "Optional due date, YYYY-MM-DD")], required: ["title"]),
        Tool(name: "complete_task", service: .tasks, description: "Propose marking an open task done, found by its title. The user confirms.",
             parameters: ["title": ("string", "The task's title or part of it")], required: ["title"]),
        Tool(name: "list_notes", service: .keep, description: "List the user's Google Keep notes (read-only).", parameters: [:], required: []),
        Tool(name: "find_contact", service: nil, description: "Look up a contact's email addresses by name.",
             parameters: ["name": ("string", "The contact's name or the start of it")], required: ["name"]),
    ]

    /// The tool definitions for a request body, for the services `granted`.
    public func definitions(granted: [Service]) -> [JSONValue] {
        Self.tools.filter { $0.service.map(granted.contains) ?? true }.map { tool in
            let properties = tool.parameters.mapValues { parameter -> JSONValue in
                var schema: [String: JSONValue] = ["type": .string(parameter.type), "description": .string(parameter.description)]
                if parameter.type == "array" { schema["items"] = .object(["type": .string("string")]) }
                return .object(schema)
            }
            return .object([
                "type": .string("function"),
                "function": .object([
                    "name": .string(tool.name), "description": .string(tool.description),
                    "parameters": .object(["type": .string("object"), "properties": .object(properties),
                                           "required": .array(tool.required.map(JSONValue.string))]),
                ]),
            ])
        }
    }

    /// What running a tool gave: text for the model, or a draft that ends the turn.
    public enum Outcome: Sendable, Equatable {
        case output(String)
        case draft(text: String, action: PendingAction)
    }

    /// Runs one call; never throws: problems go back to the model as text it can explain.
    public func run(name: String, arguments: String, granted: [Service], log: GoogleCallLog) async -> Outcome {
        guard let tool = Self.tools.first(where: { $0.name == name }) else { return .output("error: there is no tool named \(name)") }
        if let service = tool.service, !granted.contains(service) {
            return .output("error: the user has not granted \(service.rawValue) access; they can run `lume-tui grant \(service.rawValue)`")
        }
        let json = JSONValue.parse(arguments.isEmpty ? "{}" : arguments)
        guard case .object = json else { return .output("error: the arguments are not a JSON object") }
        let intent: Intent
        switch intentFor(name, json) {
        case let .success(value): intent = value
        case let .failure(problem): return .output("error: \(problem.text)")
        }
        do {
            guard let session = try google.session(time: time, log: log) else { return .output("error: the user is not signed in to Google") }
            let reply = try await IntentRunner(session: session, time: time, now: now()).run(intent)
            if let action = reply.proposal { return .draft(text: reply.text, action: action) }
            return .output(reply.text)
        } catch let error as GoogleError {
            return .output("error: \(error.description)")
        } catch {
            return .output("error: \(error)")
        }
    }

    struct Problem: Error { let text: String }

    private func intentFor(_ name: String, _ json: JSONValue) -> Result<Intent, Problem> {
        func string(_ key: String) -> String? { json[key]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        func strings(_ key: String) -> [String] {
            json[key]?.arrayValue?.compactMap(\.stringValue) ?? string(key).map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } ?? []
        }
        func instant(_ key: String) -> Result<Date, Problem> {
            guard let text = string(key) else { return .failure(Problem(text: "`\(key)` is required")) }
            guard let date = time.parse(text) else { return .failure(Problem(text: "`\(key)` is not an RFC 3339 time or a YYYY-MM-DD date: \(text)")) }
            return .success(date)
        }
        switch name {
        case "search_mail": return .success(.searchMail(MailSearch(words: string("query") ?? "")))
        case "read_mail": return .success(.readMail(MailSearch(words: string("query") ?? "")))
        case "draft_email":
            let to = strings("to")
            guard !to.isEmpty, let subject = string("subject"), let body = string("body") else { return .failure(Problem(text: "`to`, `subject` and `body` are required")) }
            return .success(.composeMail(ComposeRequest(recipients: to, subject: MailHeader.singleLine(subject), body: body)))
        case "list_events", "check_free", "draft_event":
            let start: Date, end: Date
            switch (instant("start"), instant("end")) {
            case let (.success(a), .success(b)): (start, end) = (a, b)
            case let (.failure(problem), _), let (_, .failure(problem)): return .failure(problem)
            }
            guard end > start else { return .failure(Problem(text: "`end` must be after `start`")) }
            if name == "list_events" {
                return .success(.agenda(DateSpan(start: start, end: end, label: "between \(time.describe(start)) and \(time.describe(end))")))
            }
            if name == "check_free" { return .success(.checkFree(start: start, end: end)) }
            guard let title = string("title") else { return .failure(Problem(text: "`title` is required")) }
            return .success(.createEvent(EventRequest(title: title, start: start, end: end, invitees: strings("invite"))))
        case "list_tasks": return .success(.listTasks)
        case "draft_task":
            guard let title = string("title") else { return .failure(Problem(text: "`title` is required")) }
            let due = string("due").map { String($0.prefix(10)) }
            if let due, time.parse(due) == nil { return .failure(Problem(text: "`due` is not a YYYY-MM-DD date: \(due)")) }
            return .success(.addTask(title: title, due: due))
        case "complete_task":
            guard let title = string("title") else { return .failure(Problem(text: "`title` is required")) }
            return .success(.completeTask(title))
        case "list_notes": return .success(.listNotes)
        case "find_contact":
            guard let contact = string("name") else { return .failure(Problem(text: "`name` is required")) }
            return .success(.findContact(contact))
        default: return .failure(Problem(text: "unknown tool \(name)"))
        }
    }

    /// The lines of the system prompt that tell the model when and where it is.
    func context() -> String {
        let moment = now()
        let offset = time.rfc3339(moment).suffix(6)
        return "Now is \(time.describe(moment)) (\(time.rfc3339(moment))), time zone \(time.zone.identifier) (UTC\(offset))."
    }
}
