import Foundation
import GRDB

/// Where a page of the conversation list ends, so the next page starts after it.
///
/// Keyset paging (not OFFSET): page N costs the same as page 1 however long the history is.
public struct ConversationCursor: Equatable, Sendable {
    public var updatedAt: Date
    public var id: Int64

    public init(updatedAt: Date, id: Int64) {
        self.updatedAt = updatedAt
        self.id = id
    }
}

/// One full-text match: the message, where it lives, and a snippet with the match marked
/// between `SearchHit.markStart` and `SearchHit.markEnd`.
public struct SearchHit: Equatable, Sendable {
    public static let markStart = "\u{1}"
    public static let markEnd = "\u{2}"

    public var messageID: Int64
    public var conversationID: Int64
    public var conversationTitle: String
    public var archived: Bool
    public var role: MessageRole
    public var createdAt: Date
    public var snippet: String
    /// Relevance (`SearchRank`): higher is more relevant.
    public var score: Double

    public init(messageID: Int64, conversationID: Int64, conversationTitle: String, archived: Bool, role: MessageRole,
                createdAt: Date, snippet: String, score: Double) {
        self.messageID = messageID
        self.conversationID = conversationID
        self.conversationTitle = conversationTitle
        self.archived = archived
        self.role = role
        self.createdAt = createdAt
        self.snippet = snippet
        self.score = score
    }
}

extension AppDatabase {
    // MARK: Conversations

    public func createConversation(title: String = "", now: Date = Date()) throws -> Conversation {
        try writer.write { db in
            var conversation = Conversation(title: title, now: now)
            try conversation.insert(db)
            return conversation
        }
    }

    public func conversation(id: Int64) throws -> Conversation? {
        try writer.read { db in try Conversation.fetchOne(db, key: id) }
    }

    /// Newest activity first. `archived` selects the archive instead of the active list;
    /// nil lists both.
    public func conversations(
        archived: Bool? = false, limit: Int = 50, after cursor: ConversationCursor? = nil
    ) throws -> [Conversation] {
        try writer.read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let archived {
                clauses.append("archived = ?")
                _ = arguments.append(contentsOf: [archived])
            }
            if let cursor {
                clauses.append("(updated_at < ? OR (updated_at = ? AND id < ?))")
                _ = arguments.append(contentsOf: [cursor.updatedAt.stored, cursor.updatedAt.stored, cursor.id])
            }
            let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit])
            return try Conversation.fetchAll(db, sql: """
                SELECT * FROM conversations \(whereClause)
                ORDER BY updated_at DESC, id DESC LIMIT ?
                """, arguments: arguments)
        }
    }

    public func renameConversation(id: Int64, title: String, now: Date = Date()) throws {
        try updateConversation(id: id) { db in
            try db.execute(sql: "UPDATE conversations SET title = ?, updated_at = ? WHERE id = ?", arguments: [title, now.stored, id])
        }
    }

    /// Archiving keeps everything (and it stays searchable); it only leaves the main list.
    public func setArchived(id: Int64, _ archived: Bool) throws {
        try updateConversation(id: id) { db in
            try db.execute(sql: "UPDATE conversations SET archived = ? WHERE id = ?", arguments: [archived, id])
        }
    }

    /// Deletes the conversation, its messages (cascade) and their search entries (triggers).
    public func deleteConversation(id: Int64) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM conversations WHERE id = ?", arguments: [id])
            if db.changesCount == 0 { throw StoreError.conversationNotFound(id) }
            try db.execute(sql: "DELETE FROM drafts WHERE scope = ?", arguments: [DraftScope.conversation(id).key])
        }
    }

    private func updateConversation(id: Int64, _ change: (Database) throws -> Void) throws {
        try writer.write { db in
            try change(db)
            if db.changesCount == 0 { throw StoreError.conversationNotFound(id) }
        }
    }

    // MARK: Messages

    /// Adds a message and marks the conversation active now. A conversation without a title
    /// takes one from its first user message.
    @discardableResult
    public func appendMessage(
        to conversationID: Int64, role: MessageRole, content: String, services: [Service] = [],
        status: MessageStatus = .complete, metadata: String = "{}", now: Date = Date()
    ) throws -> Message {
        try writer.write { db in
            guard var conversation = try Conversation.fetchOne(db, key: conversationID) else {
                throw StoreError.conversationNotFound(conversationID)
            }
            var message = Message(
                conversationID: conversationID, role: role, content: content, services: services,
                status: status, metadata: metadata, now: now)
            try message.insert(db)
            conversation.updatedAt = now
            if conversation.title.isEmpty, role == .user {
                conversation.title = Self.title(from: content)
            }
            try db.execute(
                sql: "UPDATE conversations SET updated_at = ?, title = ? WHERE id = ?",
                arguments: [conversation.updatedAt.stored, conversation.title, conversationID])
            return message
        }
    }

    /// Replaces a message's content and status: a streaming reply as more of it arrives.
    public func updateMessage(id: Int64, content: String, status: MessageStatus, metadata: String? = nil) throws {
        try writer.write { db in
            if let metadata {
                try db.execute(
                    sql: "UPDATE messages SET content = ?, status = ?, metadata = ? WHERE id = ?",
                    arguments: [content, status, metadata, id])
            } else {
                try db.execute(
                    sql: "UPDATE messages SET content = ?, status = ? WHERE id = ?", arguments: [content, status, id])
            }
            if db.changesCount == 0 { throw StoreError.messageNotFound(id) }
        }
    }

    /// Moves a drafted action from one status to another in its message's metadata, only
    /// if it is still at `from`: the one statement that makes confirming happen once, even
    /// with two instances open on the same history.
    public func transitionAction(messageID: Int64, from: String, to: String) throws -> Bool {
        try writer.write { db in
            try db.execute(
                sql: """
                    UPDATE messages SET metadata = json_set(metadata, '$.action_status', ?)
                    WHERE id = ? AND json_valid(metadata) AND json_extract(metadata, '$.action_status') = ?
                    """,
                arguments: [to, messageID, from])
            return db.changesCount == 1
        }
    }

    /// Replaces a drafted action (and the reply text showing it) while it still waits for
    /// an answer; whether it did.
    public func reviseAction(messageID: Int64, content: String, action: JSONValue) throws -> Bool {
        try writer.write { db in
            try db.execute(
                sql: """
                    UPDATE messages SET content = ?, metadata = json_set(metadata, '$.pending_action', json(?))
                    WHERE id = ? AND json_valid(metadata) AND json_extract(metadata, '$.action_status') = 'pending'
                    """,
                arguments: [content, action.text, messageID])
            return db.changesCount == 1
        }
    }

    public func message(id: Int64) throws -> Message? {
        try writer.read { db in try Message.fetchOne(db, key: id) }
    }

    /// A window of a conversation's messages in order: the `limit` messages after
    /// `afterID` (oldest first), or — with `beforeID` — the `limit` messages before it.
    /// Long conversations are read a window at a time, never whole.
    public func messages(
        in conversationID: Int64, limit: Int = 200, afterID: Int64? = nil, beforeID: Int64? = nil
    ) throws -> [Message] {
        try writer.read { db in
            if let beforeID {
                let page = try Message.fetchAll(db, sql: """
                    SELECT * FROM messages WHERE conversation_id = ? AND id < ? ORDER BY id DESC LIMIT ?
                    """, arguments: [conversationID, beforeID, limit])
                return page.reversed()
            }
            return try Message.fetchAll(db, sql: """
                SELECT * FROM messages WHERE conversation_id = ? AND id > ? ORDER BY id LIMIT ?
                """, arguments: [conversationID, afterID ?? 0, limit])
        }
    }

    /// The last `limit` messages of a conversation, oldest first: what a transcript opens on.
    public func latestMessages(in conversationID: Int64, limit: Int) throws -> [Message] {
        try messages(in: conversationID, limit: limit, beforeID: Int64.max)
    }

    /// The metadata key naming the process writing a streaming reply
    /// (`ProcessIdentity`); the finished reply's metadata replaces it.
    public static let writerKey = "writer"

    /// Replies left `streaming` by a process that died mid-reply become `interrupted`:
    /// their text so far is kept. A reply whose writer still runs (another window
    /// streaming right now) is left alone. Returns how many were repaired.
    @discardableResult
    public func markAbandonedStreamsInterrupted() throws -> Int {
        let streaming = try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT id, metadata FROM messages WHERE status = 'streaming'")
        }
        let abandoned: [Int64] = streaming.compactMap { row in
            let writer = JSONValue.parse(row["metadata"] as String? ?? "")[Self.writerKey]?.stringValue
            // Replies from before writers were recorded have no writer: nobody can be streaming them.
            let alive = writer.flatMap(ProcessIdentity.init)?.isAlive ?? false
            return alive ? nil : row["id"]
        }
        guard !abandoned.isEmpty else { return 0 }
        return try writer.write { db in
            var changed = 0
            for id in abandoned {
                try db.execute(sql: "UPDATE messages SET status = 'interrupted' WHERE id = ? AND status = 'streaming'", arguments: [id])
                changed += db.changesCount
            }
            return changed
        }
    }

    /// The user's earlier prompts, newest first, without repeats: what Up/Down recalls.
    ///
    /// Reads only the newest messages (by id, backwards) and removes repeats here: a
    /// GROUP BY over all messages would read the whole history at every start.
    public func recentPrompts(limit: Int = 200) throws -> [String] {
        try writer.read { db in
            let recent = try String.fetchAll(db, sql: """
                SELECT content FROM messages WHERE role = 'user' ORDER BY id DESC LIMIT ?
                """, arguments: [limit * 4])
            var seen = Set<String>()
            return Array(recent.filter { seen.insert($0).inserted }.prefix(limit))
        }
    }

    // MARK: Search

    /// Full-text search over every message, most relevant first.
    ///
    /// Relevance (`SearchRank`) is ranked over the most recent `window` matches: a word
    /// found in a hundred thousand messages would otherwise make every query score them
    /// all, and search would slow down as history grows. Rare words — the usual search —
    /// rank over all their matches. Ties go to the newer message.
    public func search(_ query: String, limit: Int = 20, window: Int = 1000) throws -> [SearchHit] {
        guard let pattern = Self.ftsPattern(query) else { return [] }
        return try writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                WITH matches AS (
                    SELECT rowid AS id, lume_rank(message_search) AS score
                    FROM message_search WHERE message_search MATCH ?
                    ORDER BY rowid DESC LIMIT ?
                ),
                best AS (SELECT id, score FROM matches ORDER BY score DESC, id DESC LIMIT ?)
                SELECT best.id, best.score, m.conversation_id, m.role, m.created_at, c.title, c.archived
                FROM best
                JOIN messages m ON m.id = best.id
                JOIN conversations c ON c.id = m.conversation_id
                ORDER BY best.score DESC, best.id DESC
                """, arguments: [pattern, window, limit])
            let snippets = try Self.snippets(db, pattern: pattern, ids: rows.map { $0["id"] }, window: window)
            return rows.map { row in
                let id: Int64 = row["id"]
                return SearchHit(
                    messageID: id, conversationID: row["conversation_id"],
                    conversationTitle: row["title"], archived: row["archived"],
                    role: MessageRole(rawValue: row["role"]) ?? .user, createdAt: row.storedDate("created_at") ?? .distantPast,
                    snippet: snippets[id] ?? "", score: row["score"])
            }
        }
    }

    /// Snippets for the chosen hits only: `snippet()` re-reads and re-tokenizes a message,
    /// too costly for the whole window, and FTS5 has no cheap lookup of one row's match, so
    /// the window is walked again and only the chosen rows pay for a snippet.
    private static func snippets(_ db: Database, pattern: String, ids: [Int64], window: Int) throws -> [Int64: String] {
        guard let newest = ids.max(), let oldest = ids.min() else { return [:] }
        let wanted = "," + ids.map(String.init).joined(separator: ",") + ","
        let rows = try Row.fetchAll(db, sql: """
            SELECT rowid AS id, snippet(message_search, 0, char(1), char(2), '…', 16) AS snippet
            FROM message_search
            WHERE message_search MATCH ? AND rowid BETWEEN ? AND ? AND instr(?, ',' || rowid || ',') > 0
            """, arguments: [pattern, oldest, newest, wanted])
        return Dictionary(rows.map { ($0["id"], $0["snippet"]) }, uniquingKeysWith: { first, _ in first })
    }

    /// Turns what a user typed into an FTS5 query that cannot be a syntax error: each word
    /// becomes a quoted string, all of them required. Nil when nothing searchable remains.
    static func ftsPattern(_ query: String) -> String? {
        let words = query.split(whereSeparator: { $0.isWhitespace })
            .map { $0.replacingOccurrences(of: "\"", with: "\"\"") }
            .filter { word in word.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil } }
        guard !words.isEmpty else { return nil }
        return words.map { "\"\($0)\"" }.joined(separator: " ")
    }

    /// A title from the first line of a first message, cut at a word near 60 characters.
    static func title(from content: String) -> String {
        let firstLine = content.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = firstLine.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > 60 else { return trimmed }
        let cut = trimmed.prefix(60)
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > 30 {
            return String(cut[..<space]) + "…"
        }
        return String(cut) + "…"
    }

    // MARK: Drafts

    public func saveDraft(_ text: String, for scope: DraftScope, now: Date = Date()) throws {
        try writer.write { db in
            if text.isEmpty {
                try db.execute(sql: "DELETE FROM drafts WHERE scope = ?", arguments: [scope.key])
            } else {
                try db.execute(sql: """
                    INSERT INTO drafts(scope, text, updated_at) VALUES (?, ?, ?)
                    ON CONFLICT(scope) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at
                    """, arguments: [scope.key, text, now.stored])
            }
        }
    }

    public func draft(for scope: DraftScope) throws -> String {
        try writer.read { db in
            try String.fetchOne(db, sql: "SELECT text FROM drafts WHERE scope = ?", arguments: [scope.key]) ?? ""
        }
    }
}

/// Which prompt a draft belongs to.
public enum DraftScope: Equatable, Sendable {
    case newConversation
    case conversation(Int64)

    var key: String {
        switch self {
        case .newConversation: "new"
        case let .conversation(id): "conversation:\(id)"
        }
    }
}

/// A conversation brought in whole (an import, or generated history for benchmarks).
public struct ImportedConversation: Sendable {
    public var title: String
    public var archived: Bool
    public var messages: [(role: MessageRole, content: String, createdAt: Date)]

    public init(title: String, archived: Bool = false, messages: [(role: MessageRole, content: String, createdAt: Date)]) {
        self.title = title
        self.archived = archived
        self.messages = messages
    }
}

extension AppDatabase {
    /// Inserts whole conversations in one transaction; the triggers index every message.
    public func importConversations(_ conversations: [ImportedConversation]) throws {
        try writer.write { db in
            let insertMessage = try db.cachedStatement(sql: """
                INSERT INTO messages(conversation_id, role, content, created_at) VALUES (?, ?, ?, ?)
                """)
            for imported in conversations {
                let first = imported.messages.first?.createdAt ?? Date()
                let last = imported.messages.last?.createdAt ?? first
                var conversation = Conversation(title: imported.title, now: first)
                conversation.updatedAt = last
                conversation.archived = imported.archived
                try conversation.insert(db)
                for message in imported.messages {
                    try insertMessage.execute(arguments: [conversation.id, message.role, message.content, message.createdAt.stored])
                }
            }
        }
    }
}
