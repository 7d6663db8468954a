import Foundation
import LumeKit

/// A whole conversation read for `history show` and `history export`.
struct ExportedTranscript {
    let conversation: Conversation
    let messages: [Message]

    /// Reads the conversation a page at a time (a long one is never one giant query).
    static func load(_ id: Int64, from database: AppDatabase) throws -> ExportedTranscript {
        guard let conversation = try database.conversation(id: id) else { throw StoreError.conversationNotFound(id) }
        var messages: [Message] = []
        var after: Int64 = 0
        while true {
            let page = try database.messages(in: id, limit: 1000, afterID: after)
            messages += page
            guard let last = page.last?.id, page.count == 1000 else { break }
            after = last
        }
        return ExportedTranscript(conversation: conversation, messages: messages)
    }

    var title: String { conversation.title.isEmpty ? "(untitled)" : conversation.title }

    var json: TranscriptJSON {
        TranscriptJSON(conversation: ConversationJSON(conversation), messages: messages.map(MessageJSON.init))
    }

    func plainText() -> String {
        var lines = ["\(title)  (conversation \(conversation.id!), \(conversation.messageCount) messages\(conversation.archived ? ", archived" : ""))"]
        for message in messages {
            lines.append("")
            lines.append("── \(Self.speaker(message.role)) · \(Output.localTime(message.createdAt))\(Self.annotations(message))")
            lines.append(message.content)
        }
        return lines.joined(separator: "\n")
    }

    func markdown() -> String {
        var parts = ["# \(title)", "", "_Exported from lume-tui: conversation \(conversation.id!), started \(Output.localTime(conversation.createdAt))._"]
        for message in messages {
            parts.append("")
            parts.append("## \(Self.speaker(message.role)) · \(Output.localTime(message.createdAt))\(Self.annotations(message))")
            parts.append("")
            parts.append(message.content)
        }
        return parts.joined(separator: "\n")
    }

    static func speaker(_ role: MessageRole) -> String {
        switch role {
        case .user: "You"
        case .assistant: "Assistant"
        case .system: "System"
        }
    }

    /// " [email, tasks] (interrupted)": the detector's flags and any unusual status.
    static func annotations(_ message: Message) -> String {
        var text = ""
        if !message.detectedServices.isEmpty {
            text += " [" + message.detectedServices.map(\.rawValue).joined(separator: ", ") + "]"
        }
        if message.status != .complete { text += " (\(message.status.rawValue))" }
        return text
    }
}

struct ConversationJSON: Encodable {
    let id: Int64
    let title: String
    let created_at: Date
    let updated_at: Date
    let message_count: Int
    let archived: Bool

    init(_ c: Conversation) {
        id = c.id!
        title = c.title
        created_at = c.createdAt
        updated_at = c.updatedAt
        message_count = c.messageCount
        archived = c.archived
    }
}

struct MessageJSON: Encodable {
    let id: Int64
    let conversation_id: Int64
    let role: String
    let content: String
    let created_at: Date
    let services: [String]
    let status: String
    let metadata: JSONValue

    init(_ m: Message) {
        id = m.id!
        conversation_id = m.conversationID
        role = m.role.rawValue
        content = m.content
        created_at = m.createdAt
        services = m.detectedServices.map(\.rawValue)
        status = m.status.rawValue
        metadata = JSONValue.parse(m.metadata)
    }
}

struct TranscriptJSON: Encodable {
    let conversation: ConversationJSON
    let messages: [MessageJSON]
}

struct SearchHitJSON: Encodable {
    let message_id: Int64
    let conversation_id: Int64
    let conversation_title: String
    let archived: Bool
    let role: String
    let created_at: Date
    /// The matched words wrapped in `**`.
    let snippet: String
    let score: Double

    init(_ hit: SearchHit) {
        message_id = hit.messageID
        conversation_id = hit.conversationID
        conversation_title = hit.conversationTitle
        archived = hit.archived
        role = hit.role.rawValue
        created_at = hit.createdAt
        snippet = Output.markedSnippet(hit.snippet, styled: false)
        score = hit.score
    }
}
