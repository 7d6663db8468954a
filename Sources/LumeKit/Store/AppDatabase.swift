import Foundation
import GRDB

/// A storage problem, worded for the user.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case conversationNotFound(Int64)
    case messageNotFound(Int64)
    /// The database was written by a newer lume-tui whose migrations this one does not know.
    case newerSchema(path: String, unknown: [String])

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open the database \(path): \(reason)"
        case let .conversationNotFound(id): return "no conversation with id \(id)"
        case let .messageNotFound(id): return "no message with id \(id)"
        case let .newerSchema(path, unknown):
            return "\(path) was written by a newer lume-tui (schema \(unknown.joined(separator: ", "))); upgrade lume-tui"
        }
    }
}

/// The one owner of the SQLite file: the connection pool, the schema and every SQL statement.
///
/// Why a pool: the UI reads (list, search, scrollback) while a reply is being written;
/// WAL lets readers proceed without waiting for the writer. Every write method is a single
/// IMMEDIATE transaction, and a busy timeout lets a second process (`lume-tui send` while
/// the UI runs) wait its turn instead of failing.
public final class AppDatabase: Sendable {
    public let path: String
    let writer: DatabasePool

    /// Opens (creating if needed) the database at `path`: file 0600 in a 0700 folder,
    /// migrated to the current schema.
    public init(path: String) throws {
        self.path = path
        do {
            try PrivateFiles.ensureFile(path)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        // Two readers are plenty for one user (the UI reads while a reply is written), and
        // each connection keeps its own page cache.
        configuration.maximumReaderCount = 2
        configuration.prepareDatabase { db in
            db.add(tokenizer: SearchTokenizer.self)
            SearchRank.register(db)
            // Durable enough for chat history, and far fewer fsyncs while a reply streams.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Read pages through a bounded memory map: a search touches scattered pages of a
            // large file, and a short-lived command starts with an empty SQLite cache. Bounded
            // because every mapped page a query touches counts towards the UI's memory.
            try db.execute(sql: "PRAGMA mmap_size = 33554432")
        }
        do {
            writer = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
        try migrate()
    }

    private func migrate() throws {
        let migrator = Self.migrator
        let unknown = try writer.read { db in try Self.appliedMigrations(db).subtracting(migrator.migrations) }
        if !unknown.isEmpty {
            throw StoreError.newerSchema(path: path, unknown: unknown.sorted())
        }
        // Skip the write lock entirely when nothing is pending: startup stays read-only.
        let pending = try writer.read { db in try !migrator.hasCompletedMigrations(db) }
        if pending {
            try migrator.migrate(writer)
        }
    }

    private static func appliedMigrations(_ db: Database) throws -> Set<String> {
        guard try db.tableExists("grdb_migrations") else { return [] }
        return try Set(String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
    }

    /// The names of the migrations applied to this file, oldest first.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in
            let applied = try Self.appliedMigrations(db)
            return Self.migrator.migrations.filter(applied.contains)
        }
    }
}
