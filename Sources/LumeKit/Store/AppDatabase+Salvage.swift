import Foundation
import GRDB

/// What a salvage copied, and what it could not read.
public struct SalvageReport: Equatable, Sendable {
    /// Rows copied per table.
    public var copied: [String: Int] = [:]
    /// Stretches of a table that could not be read (a damaged page), by table.
    public var unreadable: [String: Int] = [:]
    /// Conversations made up for messages whose conversation row was lost.
    public var rebuiltConversations = 0
}

extension AppDatabase {
    /// Tables in the order their rows can be inserted (owners before what refers to them).
    static let salvageOrder = ["users", "oauth_states", "tokens", "permission_requests", "conversations", "messages", "drafts"]

    /// Copies every row that can still be read from a damaged database into a new one.
    ///
    /// Why not SQLite's `.recover`: it replays the schema, and the search index's tokenizer
    /// exists only inside lume-tui, so the shell stops there. Here the new file gets the
    /// current schema from the migrations, rows are read table by table in rowid order, and
    /// a stretch that cannot be read (SQLite reports the damage when a query reaches the
    /// page) is stepped over with growing strides until reading works again. The search
    /// index and message counts are rebuilt by the new file's own triggers.
    public static func salvage(from damagedPath: String, into newPath: String) throws -> SalvageReport {
        guard !FileManager.default.fileExists(atPath: newPath) else {
            throw StoreError.cannotOpen(path: newPath, reason: "already exists; choose another file for the recovered copy")
        }
        var configuration = Configuration()
        configuration.readonly = true
        let source: DatabaseQueue
        do {
            source = try DatabaseQueue(path: readOnlyLocation(damagedPath, folderWritable: false), configuration: configuration)
        } catch {
            throw StoreError.cannotOpen(path: damagedPath, reason: "\(error)")
        }
        defer { try? source.close() }
        let destination = try AppDatabase(path: newPath)
        var report = SalvageReport()
        for table in salvageOrder {
            let columns = try destination.writer.read { db in try db.columns(in: table).map(\.name) }
            let available = (try? source.read { db in try db.columns(in: table).map(\.name) }) ?? []
            let shared = columns.filter(available.contains)
            guard !shared.isEmpty else { continue }
            try copy(table, columns: shared, from: source, to: destination, report: &report)
        }
        return report
    }

    private static func copy(_ table: String, columns: [String], from source: DatabaseQueue, to destination: AppDatabase,
                             report: inout SalvageReport) throws {
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        func rows(after cursor: Int64, limit: Int) throws -> [Row] {
            try source.read { db in
                try Row.fetchAll(db, sql: "SELECT rowid AS lume_rowid, \(list) FROM \"\(table)\" WHERE rowid > ? ORDER BY rowid LIMIT ?",
                                 arguments: [cursor, limit])
            }
        }
        var cursor = Int64.min
        var batch = 500
        while true {
            let found: [Row]
            do {
                found = try rows(after: cursor, limit: batch)
            } catch {
                // Somewhere in this batch is a damaged page: go a row at a time up to it,
                // then step over it to the first row that reads again.
                if batch > 1 { batch = 1; continue }
                report.unreadable[table, default: 0] += 1
                guard let resume = firstReadable(after: cursor, { try rows(after: $0, limit: 1) }) else { break }
                cursor = resume
                continue
            }
            guard let last = found.last?["lume_rowid"] as Int64? else { break }
            try destination.writer.write { db in
                for row in found {
                    try insert(row, into: table, columns: columns, db: db, report: &report)
                }
            }
            cursor = last
            batch = 500
        }
    }

    /// The smallest cursor past `cursor` from which reading works again: strides that
    /// double until a read succeeds, then a binary search back, so rows just after the
    /// damage are not skipped with it.
    private static func firstReadable(after cursor: Int64, _ read: (Int64) throws -> [Row]) -> Int64? {
        func readable(_ position: Int64) -> Bool { (try? read(position)) != nil }
        var failing = cursor
        var stride: Int64 = 1
        var success: Int64?
        while success == nil {
            let (next, overflow) = failing.addingReportingOverflow(stride)
            if overflow { return nil }
            if readable(next) { success = next } else { failing = next; stride = stride < (1 << 62) ? stride * 2 : stride }
        }
        var high = success!
        while high - failing > 1 {
            let middle = failing + (high - failing) / 2
            if readable(middle) { high = middle } else { failing = middle }
        }
        return high
    }

    private static func insert(_ row: Row, into table: String, columns: [String], db: Database, report: inout SalvageReport) throws {
        var values = columns.map { row[$0] as DatabaseValue }
        if table == "conversations", let index = columns.firstIndex(of: "message_count") {
            values[index] = 0.databaseValue  // the messages' own triggers count them again
        }
        if table == "messages", let index = columns.firstIndex(of: "conversation_id"),
           let conversation = Int64.fromDatabaseValue(values[index]),
           try Int.fetchOne(db, sql: "SELECT 1 FROM conversations WHERE id = ?", arguments: [conversation]) == nil {
            let created = (row["created_at"] as String?) ?? StoredDate.text(Date())
            try db.execute(sql: "INSERT INTO conversations (id, title, created_at, updated_at) VALUES (?, 'Recovered conversation', ?, ?)",
                           arguments: [conversation, created, created])
            report.rebuiltConversations += 1
        }
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        do {
            try db.execute(sql: "INSERT OR IGNORE INTO \"\(table)\" (\(list)) VALUES (\(placeholders))", arguments: StatementArguments(values))
            if db.changesCount > 0 { report.copied[table, default: 0] += 1 }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            // A row whose owner was lost (a token without its account): nothing to attach it to.
        }
    }
}
