import Foundation

/// What an assistant produces while it replies.
public enum AssistantEvent: Sendable, Equatable {
    /// More text of the reply.
    case text(String)
    /// Facts about the reply for its stored metadata (model, token usage, Google calls).
    case metadata([String: JSONValue])
    /// A write drafted for the user to confirm; nothing is done until they do.
    case proposal(PendingAction)
}

/// One turn to answer.
public struct AssistantRequest: Sendable {
    /// Earlier messages of the conversation, oldest first.
    public var history: [Message]
    /// The user's message being answered.
    public var message: Message
    /// The services the detector flagged for it.
    public var detected: [Service]
    /// The services the signed-in account has granted (empty when signed out).
    public var granted: [Service]
    public var signedIn: Bool
    /// What understanding made of the message in its conversation: the action the built-in
    /// assistant carries out, and the text its details are read from.
    public var reading: Reading

    public init(history: [Message], message: Message, detected: [Service], granted: [Service], signedIn: Bool,
                reading: Reading? = nil) {
        self.history = history
        self.message = message
        self.detected = detected
        self.granted = granted
        self.signedIn = signedIn
        self.reading = reading ?? Understanding.shared.read(message.content, explaining: false)
    }
}

/// Something that answers messages: the built-in assistant, or an LLM behind an
/// OpenAI-compatible endpoint. A reply is a stream of events, so it can be shown and
/// stored as it arrives, and cancelled.
public protocol Assistant: Sendable {
    /// "builtin", or the model name: shown on the status line, stored with each reply.
    var name: String { get }
    func reply(to request: AssistantRequest) -> AsyncThrowingStream<AssistantEvent, Error>
}

/// A reply that failed, in words for the transcript.
public struct AssistantFailure: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Services a reply could not use because the account lacks them, recorded in its
/// metadata (under the original backend's name) so the UI and `send` start the permission
/// flow for them.
public enum ServicesToGrant {
    static let key = "requires_permissions"

    static func metadata(_ services: [Service]) -> [String: JSONValue] {
        [key: .array(services.map { .string($0.rawValue) })]
    }

    public static func of(_ reply: Message) -> [Service] {
        (JSONValue.parse(reply.metadata)[key]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(Service.init) }
    }
}

extension AsyncThrowingStream where Failure == Error {
    /// A stream fed by `body` on a task of its own, finished when `body` returns or throws,
    /// and cancelled when whoever reads the stream stops (Esc, quit).
    static func feeding(_ body: @escaping @Sendable (Continuation) async throws -> Void) -> Self {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await body(continuation)
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
