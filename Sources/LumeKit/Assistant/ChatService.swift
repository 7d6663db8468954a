import Foundation
import Logging

/// One chat turn, the same for the UI and `lume-tui send`: detect the services, store the
/// user's message before any network call, then stream the reply into the database as it
/// arrives, so a killed process leaves everything received so far.
public final class ChatService: Sendable {
    public let database: AppDatabase
    public let detector: ServiceDetector
    public let assistant: Assistant
    private let logger: Logger

    /// Messages of history sent along with a turn (the assistant may trim further).
    public static let historyLimit = 40

    public init(database: AppDatabase, detector: ServiceDetector = .shared, assistant: Assistant, logger: Logger) {
        self.database = database
        self.detector = detector
        self.assistant = assistant
        self.logger = logger
    }

    /// Stores the user's message with the services it needs, in `conversationID` or a new
    /// conversation.
    public func storeUserMessage(_ text: String, in conversationID: Int64?, now: Date = Date()) throws -> (Message, Conversation) {
        let services = detector.services(text)
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
    /// cancelled) or error. Never throws: a failure is part of the stored reply.
    public func answer(
        _ message: Message, onStart: @Sendable (Message) -> Void = { _ in }, onText: @Sendable (Int64, String) -> Void = { _, _ in }
    ) async -> Message {
        let started = Date()
        let user = try? database.signedInUser()
        let granted = user.map { account in Service.allCases.filter(account.isGranted) } ?? []
        let history = ((try? database.messages(in: message.conversationID, limit: Self.historyLimit, beforeID: message.id!)) ?? [])
            .filter { $0.status != .error }
        var reply: Message
        do {
            reply = try database.appendMessage(to: message.conversationID, role: .assistant, content: "", status: .streaming)
        } catch {
            logger.error("cannot store a reply", metadata: ["error": "\(error)"])
            return Message(conversationID: message.conversationID, role: .assistant, content: "", status: .error,
                           metadata: JSONValue.object(["error": .string("\(error)")]).text, now: Date())
        }
        onStart(reply)
        var metadata: [String: JSONValue] = ["provider": .string(assistant.name)]
        var text = ""
        var lastSaved = Date()
        var status = MessageStatus.complete
        let request = AssistantRequest(history: history, message: message, detected: message.detectedServices, granted: granted, signedIn: user != nil)
        do {
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
}
