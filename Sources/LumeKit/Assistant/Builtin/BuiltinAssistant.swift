import Foundation

/// The default assistant: no LLM, no network beyond Google. It reads a message as an
/// `Intent`, answers reads from Gmail, Calendar, Tasks, Keep and Contacts, and turns writes
/// into a `PendingAction` the user confirms. Anything else it says plainly it cannot do.
public struct BuiltinAssistant: Assistant {
    public let name = "builtin"
    /// Where the user can configure an LLM, named in replies to open questions.
    public let configFile: String
    public let google: GoogleAccess?
    public let time: LocalTime
    let now: @Sendable () -> Date

    public init(configFile: String, google: GoogleAccess?, time: LocalTime = LocalTime.current, now: @escaping @Sendable () -> Date = Date.init) {
        self.configFile = configFile
        self.google = google
        self.time = time
        self.now = now
    }

    public func reply(to request: AssistantRequest) -> AsyncThrowingStream<AssistantEvent, Error> {
        .feeding { continuation in
            let log = GoogleCallLog()
            do {
                let reply = try await respond(to: request, log: log)
                continuation.yield(.text(reply.text))
                if let action = reply.proposal { continuation.yield(.proposal(action)) }
                var metadata = reply.metadata.merging(log.metadata) { $1 }
                metadata["intent"] = .string(reply.intent)
                continuation.yield(.metadata(metadata))
            } catch {
                // The calls made before the failure are part of what is stored about it.
                if !log.metadata.isEmpty { continuation.yield(.metadata(log.metadata)) }
                throw error
            }
        }
    }

    struct Reply {
        var text: String
        var proposal: PendingAction?
        var metadata: [String: JSONValue] = [:]
        var intent = ""
    }

    /// Understanding decides what the message asks for (the same reading that chose the
    /// services to ask permission for); the parser reads the details that action needs.
    func respond(to request: AssistantRequest, log: GoogleCallLog) async throws -> Reply {
        let reading = request.reading
        if reading.followUp == .acknowledgement || reading.followUp == .closing {
            return Reply(text: "You're welcome.", intent: reading.action.rawValue)
        }
        let intent = IntentParser(now: now(), time: time).intent(for: reading.action, message: reading.detailText)
        var reply = try await respond(intent, request: request, log: log)
        reply.intent = reading.action.rawValue
        // A question about a missing detail: the next message is read as its answer.
        if case .clarify = intent { reply.metadata[ChatService.askedKey] = .bool(true) }
        return reply
    }

    private func respond(_ intent: Intent, request: AssistantRequest, log: GoogleCallLog) async throws -> Reply {
        switch intent {
        case .greeting:
            return Reply(text: "Hello! Ask me about your mail, calendar, tasks, notes or contacts — for example \"what's on my calendar tomorrow?\" or \"remind me to pay rent on Friday\". Type `help` for more.")
        case .help:
            return Reply(text: Self.helpText)
        case let .clarify(question):
            return Reply(text: question)
        case .unsupported("open question"):
            return Reply(text: """
                The built-in assistant handles Gmail, Calendar, Tasks, Keep and Contacts requests; it cannot answer \
                open questions. To use an LLM for those, set `provider = "openai"` with `base_url` and `model` under \
                `[assistant]` in \(configFile) (any OpenAI-compatible endpoint, a local Ollama included). Type `help` \
                to see what it understands.
                """)
        case let .unsupported(reason):
            return Reply(text: reason)
        default:
            break
        }
        let service = Self.service(for: intent)
        guard let google, let session = try google.session(time: time, log: log) else {
            return Reply(text: "That needs your Google account, and you are not signed in: run `lume-tui login` first"
                + (service.map { ", then `lume-tui grant \($0.rawValue)`" } ?? "") + ". Your message is saved.")
        }
        if let service, !session.user.isGranted(service), let id = session.user.id,
           PermissionState.of(service, user: session.user, latest: try google.database.latestPermissionStatus(userID: id)) == .unavailable {
            return Reply(text: GoogleError.unavailable(service).description + ".")
        }
        if let service, !session.user.isGranted(service) {
            return Reply(text: "That needs **\(service.rawValue)** access, which lume-tui does not have yet: run `lume-tui grant \(service.rawValue)`. Your message is saved.",
                         metadata: ServicesToGrant.metadata([service]))
        }
        do {
            return try await IntentRunner(session: session, time: time, now: now()).run(intent)
        } catch let error as GoogleError {
            return try handle(error, session: session)
        }
    }

    /// Google errors that are states, not failures: a missing scope (the permission flow
    /// starts again for that service) and Keep outside Workspace.
    private func handle(_ error: GoogleError, session: GoogleSession) throws -> Reply {
        switch error {
        case let .insufficientScope(service):
            // The account no longer holds the scope (revoked in Google's settings): forget
            // the grant so the permission dialog offers it again.
            var user = session.user
            user.setGranted(service, false)
            try? google?.database.saveUser(user)
            return Reply(text: "Google says lume-tui no longer has **\(service.rawValue)** access (it may have been removed in your Google account). Grant it again with `lume-tui grant \(service.rawValue)`.",
                         metadata: ServicesToGrant.metadata([service]))
        case .unavailable(.keep):
            // Recorded as unavailable, not granted: no permission dialog offers it again.
            var user = session.user
            user.setGranted(.keep, false)
            try? google?.database.saveUser(user)
            if let id = session.user.id, let request = try? google?.database.recordPermissionRequest(userID: id, service: .keep) {
                try? google?.database.resolvePermissionRequest(id: request.id!, status: .unavailable)
            }
            return Reply(text: error.description + ". This is normal for personal Google accounts.")
        default:
            throw AssistantFailure(error.description)
        }
    }

    static func service(for intent: Intent) -> Service? {
        switch intent {
        case .searchMail, .readMail, .composeMail: return .email
        case .agenda, .checkFree, .createEvent: return .calendar
        case .listTasks, .addTask, .completeTask: return .tasks
        case .listNotes: return .keep
        default: return nil
        }
    }

    static func name(of intent: Intent) -> String {
        switch intent {
        case .searchMail: return "search_mail"
        case .readMail: return "read_mail"
        case .composeMail: return "compose_mail"
        case .agenda: return "agenda"
        case .checkFree: return "check_free"
        case .createEvent: return "create_event"
        case .listTasks: return "list_tasks"
        case .addTask: return "add_task"
        case .completeTask: return "complete_task"
        case .listNotes: return "list_notes"
        case .findContact: return "find_contact"
        case .greeting: return "greeting"
        case .help: return "help"
        case .unsupported: return "unsupported"
        case .clarify: return "clarify"
        }
    }

    static let helpText = """
        The built-in assistant understands requests like these (it asks before sending or creating anything):

        - **Mail**: "unread mail from Alice this week", "search my mail for invoice", "read the latest email from Bob", "email Ada about lunch saying see you at noon"
        - **Calendar**: "what's on my calendar tomorrow?", "my agenda for this week", "am I free Thursday at 3?", "lunch with Bob tomorrow 1pm for an hour"
        - **Tasks**: "show my tasks", "remind me to pay rent on Friday", "mark buy milk as done"
        - **Keep**: "show my notes" (Workspace accounts only)
        - **Contacts**: "what's Bob's email address?"

        For open questions, configure an OpenAI-compatible LLM under `[assistant]` in the config file.
        """
}
