import Foundation
import Logging

/// One chat turn, the same for the UI and `lume-tui send`: detect the services, store the
/// user's message before any network call, then stream the reply into the database as it
/// arrives, so a killed process leaves everything received so far.
public final class ChatService: Sendable {
    public let database: AppDatabase
    public let understanding: Understanding
    public let assistant: Assistant
    /// Carries out confirmed drafts; nil when Google is not configured.
    public let google: GoogleAccess?
    public let time: LocalTime
    private let logger: Logger

    /// Messages of history sent along with a turn (the assistant may trim further).
    public static let historyLimit = 40
    /// Messages read to know what a follow-up follows.
    static let contextLimit = 6

    /// The metadata keys a reply keeps about its request, so the next message can follow
    /// up on it: the text the request's details were read from, and whether the reply
    /// asked for a missing detail.
    public static let requestKey = "request"
    public static let askedKey = "asked"

    /// What the conversation so far says about the next message: the last reply's action
    /// (its `intent`), the request it answered, and whether it asked a question or left a
    /// draft waiting.
    static func context(from messages: [Message]) -> ConversationContext {
        guard let replyIndex = messages.lastIndex(where: { $0.role == .assistant }) else { return .none }
        let reply = messages[replyIndex]
        let metadata = JSONValue.parse(reply.metadata)
        guard let action = metadata["intent"]?.stringValue.flatMap(Action.init) else { return .none }
        let asked = metadata[askedKey]?.boolValue == true
        let request = metadata[requestKey]?.stringValue
            ?? messages[..<replyIndex].last(where: { $0.role == .user })?.content
        let pending = metadata[PendingAction.statusKey]?.stringValue == ActionStatus.pending.rawValue
        return ConversationContext(request: request, action: action, askedForDetail: asked, awaitingAnswer: pending)
    }

    public init(database: AppDatabase, understanding: Understanding = .shared, assistant: Assistant, google: GoogleAccess? = nil,
                time: LocalTime = LocalTime.current, logger: Logger) {
        self.database = database
        self.understanding = understanding
        self.assistant = assistant
        self.google = google
        self.time = time
        self.logger = logger
    }

    /// Stores the user's message with the services it needs (as understanding reads it in
    /// its conversation, the same reading the built-in assistant acts on), in
    /// `conversationID` or a new conversation.
    public func storeUserMessage(_ text: String, in conversationID: Int64?, now: Date = Date()) throws -> (Message, Conversation) {
        let recent = try conversationID.map { try database.latestMessages(in: $0, limit: Self.contextLimit) } ?? []
        let services = understanding.read(text, context: Self.context(from: recent), explaining: false).services
        let id = try conversationID ?? database.createConversation(now: now).id!
        let message = try database.appendMessage(to: id, role: .user, content: text, services: services, now: now)
        guard let conversation = try database.conversation(id: id) else { throw StoreError.conversationNotFound(id) }
        return (message, conversation)
    }

    /// The flagged services the account cannot use yet, and should be asked for: not
    /// granted, and not known to be unavailable (Keep outside Workspace).
    public func missingServices(for message: Message) throws -> [Service] {
        guard let user = try database.signedInUser() else { return message.detectedServices }
        let latest = try database.latestPermissionStatus(userID: user.id!)
        return message.detectedServices.filter { service in
            !user.isGranted(service) && PermissionState.of(service, user: user, latest: latest) != .unavailable
        }
    }

    /// Answers a stored user message. The reply is stored as it streams (`onStart` when its
    /// row exists, `onText` per piece) and finished as complete, interrupted (the task was
    /// cancelled) or error. `onWait` hears of every wait Google asks for meanwhile. Never
    /// throws: a failure is part of the stored reply.
    public func answer(
        _ message: Message, onStart: @Sendable (Message) -> Void = { _ in }, onText: @Sendable (Int64, String) -> Void = { _, _ in },
        onWait: @escaping @Sendable (RetryNotice) -> Void = { _ in }
    ) async -> Message {
        let started = Date()
        let user = try? database.signedInUser()
        let granted = user.map { account in Service.allCases.filter(account.isGranted) } ?? []
        let history = ((try? database.messages(in: message.conversationID, limit: Self.historyLimit, beforeID: message.id!)) ?? [])
            .filter { $0.status != .error }
        let context = Self.context(from: Array(history.suffix(Self.contextLimit)))
        let reading = understanding.read(message.content, context: context, explaining: false)
        // "yes, send it" / "no" typed while a draft waits: that is the answer to the draft.
        if let agrees = reading.agrees, context.awaitingAnswer,
           let draft = history.last(where: { $0.role == .assistant }), PendingAction.of(draft)?.1 == .pending {
            return await settle(draft, confirmed: agrees, onWait: onWait)
        }
        var reply: Message
        do {
            // The writer is named so another process's sweep can tell a live reply from one
            // whose process died.
            let streaming = JSONValue.object([AppDatabase.writerKey: .string(ProcessIdentity.current.description)]).text
            reply = try database.appendMessage(to: message.conversationID, role: .assistant, content: "", status: .streaming,
                                               metadata: streaming)
        } catch {
            logger.error("cannot store a reply", metadata: ["error": "\(error)"])
            return Message(conversationID: message.conversationID, role: .assistant, content: "", status: .error,
                           metadata: JSONValue.object(["error": .string("\(error)")]).text, now: Date())
        }
        onStart(reply)
        // What understanding made of the message, for every provider: the next message's
        // context. An assistant may say more (the built-in one says whether it asked).
        var metadata: [String: JSONValue] = ["provider": .string(assistant.name), "intent": .string(reading.action.rawValue),
                                             Self.requestKey: .string(reading.detailText)]
        var text = ""
        var lastSaved = Date()
        var status = MessageStatus.complete
        let request = AssistantRequest(history: history, message: message, detected: message.detectedServices, granted: granted,
                                       signedIn: user != nil, reading: reading)
        do {
            // The reply runs on a task of its own, made inside this scope: it inherits the
            // listener for waits.
            try await RetryWaits.listening(onWait) {
                for try await event in assistant.reply(to: request) {
                    try Task.checkCancellation()
                    switch event {
                    case let .text(piece):
                        text += piece
                        onText(reply.id!, piece)
                        // Stored as it arrives, a few times a second at most.
                        if Date().timeIntervalSince(lastSaved) > 0.1 {
                            try? database.updateMessage(id: reply.id!, content: text, status: .streaming)
                            lastSaved = Date()
                        }
                    case let .metadata(values):
                        metadata.merge(values) { _, new in new }
                    case let .proposal(action):
                        metadata[PendingAction.metadataKey] = action.json
                        metadata[PendingAction.statusKey] = .string(ActionStatus.pending.rawValue)
                    }
                }
            }
        } catch is CancellationError {
            status = .interrupted
        } catch HTTPError.cancelled {
            status = .interrupted
        } catch {
            status = .error
            metadata["error"] = .string("\(error)")
            logger.notice("reply failed", metadata: ["error": "\(error)"])
        }
        if Task.isCancelled && status == .complete { status = .interrupted }
        metadata["latency_ms"] = .number((Date().timeIntervalSince(started) * 1000).rounded())
        reply.content = text
        reply.status = status
        reply.metadata = JSONValue.object(metadata).text
        do {
            try database.updateMessage(id: reply.id!, content: text, status: status, metadata: reply.metadata)
        } catch {
            logger.error("cannot finish storing a reply", metadata: ["error": "\(error)"])
        }
        return reply
    }

    /// Takes the text of a draft the user edited (see `PendingAction.editableText`): the
    /// stored reply with the new draft, or why the text does not read as one.
    public func revise(_ draft: Message, editedText: String) -> Result<Message, DraftEditProblem> {
        guard let (action, _) = PendingAction.of(draft) else { return .failure(DraftEditProblem("there is no draft to edit")) }
        return action.revised(from: editedText).map { revise(draft, to: $0) }
    }

    /// Replaces a draft the user edited, while it still waits for an answer; returns the
    /// stored reply as it now stands.
    public func revise(_ draft: Message, to action: PendingAction) -> Message {
        guard let id = draft.id else { return draft }
        let text = IntentRunner.draftText(action, time, edited: true)
        do {
            _ = try database.reviseAction(messageID: id, content: text, action: action.json)
            return try database.message(id: id) ?? draft
        } catch {
            logger.error("cannot store an edited draft", metadata: ["error": "\(error)"])
            return draft
        }
    }

    /// Answers the confirmation of a drafted action: does it (`confirmed`) or drops it, and
    /// stores what happened as a new reply. A draft is carried out at most once, even when
    /// two instances confirm it at the same moment. `onWait` hears of waits Google asks for.
    public func settle(_ draft: Message, confirmed: Bool, onWait: @escaping @Sendable (RetryNotice) -> Void = { _ in }) async -> Message {
        let started = Date()
        var metadata: [String: JSONValue] = ["provider": .string(assistant.name)]
        func store(_ text: String, _ status: MessageStatus) -> Message {
            metadata["latency_ms"] = .number((Date().timeIntervalSince(started) * 1000).rounded())
            let json = JSONValue.object(metadata).text
            do {
                return try database.appendMessage(to: draft.conversationID, role: .assistant, content: text, status: status, metadata: json)
            } catch {
                logger.error("cannot store an action's outcome", metadata: ["error": "\(error)"])
                return Message(conversationID: draft.conversationID, role: .assistant, content: text, status: .error, metadata: json, now: Date())
            }
        }
        guard let id = draft.id, let (action, _) = PendingAction.of(draft) else { return store("There is no draft to confirm.", .error) }
        let claimed = (try? database.transitionAction(messageID: id, from: ActionStatus.pending.rawValue,
                                                      to: (confirmed ? ActionStatus.performing : .declined).rawValue)) ?? false
        guard claimed else { return store("That draft was already dealt with; nothing more was done.", .complete) }
        metadata["action"] = .string(action.verb)
        guard confirmed else {
            metadata["action_result"] = .string(ActionStatus.declined.rawValue)
            return store("Cancelled: nothing was \(action.verb == "send" ? "sent" : action.verb == "mark done" ? "changed" : "created").", .complete)
        }
        let log = GoogleCallLog()
        do {
            guard let session = try google?.session(time: time, log: log) else {
                throw AssistantFailure("not signed in to Google: run `lume-tui login`")
            }
            let outcome = try await RetryWaits.listening(onWait) {
                try await ActionPerformer(session: session, time: time).perform(action)
            }
            _ = try? database.transitionAction(messageID: id, from: ActionStatus.performing.rawValue, to: ActionStatus.done.rawValue)
            metadata["action_result"] = .string(ActionStatus.done.rawValue)
            metadata.merge(log.metadata) { $1 }
            return store(outcome, .complete)
        } catch {
            _ = try? database.transitionAction(messageID: id, from: ActionStatus.performing.rawValue, to: ActionStatus.failed.rawValue)
            metadata["action_result"] = .string(ActionStatus.failed.rawValue)
            metadata["error"] = .string("\(error)")
            metadata.merge(log.metadata) { $1 }
            logger.notice("action failed", metadata: ["error": "\(error)"])
            return store("Could not \(action.verb): \(error)", .error)
        }
    }
}
