import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// A storage problem, worded for the user.
public enum StoreError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case conversationNotFound(Int64)
    case messageNotFound(Int64)
    /// The database was written by a newer lume-tui whose migrations this one does not know.
    case newerSchema(path: String, unknown: [String])
    /// The file needs a schema upgrade, which a read-only file system does not allow.
    case upgradeNeedsWriting(path: String)
    /// SQLite's own check found damage: writing on would risk more.
    case damaged(path: String, problem: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "cannot open the database \(path): \(reason)"
        case let .conversationNotFound(id): return "no conversation with id \(id)"
        case let .messageNotFound(id): return "no message with id \(id)"
        case let .newerSchema(path, unknown):
            return "\(path) was written by a newer lume-tui (schema \(unknown.joined(separator: ", "))); upgrade lume-tui"
        case let .upgradeNeedsWriting(path):
            return "\(path) was written by an older lume-tui and must be upgraded, which needs write access to it and its folder"
        case let .damaged(path, problem):
            return "the database \(path) is damaged (\(problem)); run `lume-tui admin check` to see what to do"
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
    /// Whether this process may write. Read-only opens never create, upgrade or change
    /// the mode of anything, so listing and searching work on a read-only file system.
    public enum Access: Sendable {
        case readWrite
        case readOnly
    }

    public let path: String
    public let access: Access
    let writer: any DatabaseWriter
    private let openers: OpenersLock?
    /// Set when a read-only open found damage and reads what it can anyway.
    public let damage: String?
    /// Whether opening ran `PRAGMA quick_check` (the files changed since a clean exit).
    let checkedOnOpen: Bool

    /// Opens the database at `path`, which must be absolute. Read-write: created if
    /// missing (file 0600, missing folders 0700; existing folders are never changed) and
    /// migrated. Read-only: an existing file is read as it is; a missing one, or one that
    /// needs an upgrade, is opened read-write when its folder allows it.
    ///
    /// Either way a file from a newer lume-tui is refused before anything is written, and
    /// a file that changed since the last clean exit is checked (`PRAGMA quick_check`).
    public init(path: String, access: Access = .readWrite) throws {
        self.path = path
        let folder = (path as NSString).deletingLastPathComponent
        let existed = FileManager.default.fileExists(atPath: path)
        let folderWritable = Glibc.access(folder, W_OK) == 0

        // A new file (and its missing folders) when this open may write, or nothing exists yet.
        var created = false
        if access == .readWrite || !existed {
            do {
                created = try PrivateFiles.createIfMissing(path)
            } catch {
                throw StoreError.cannotOpen(path: path, reason: "\(error)")
            }
        }
        let openers = OpenersLock(databasePath: path, create: access == .readWrite || created)
        checkedOnOpen = (openers?.join() ?? false) && !created
        func fail(_ error: Error) -> Error {
            openers?.leave(record: false)
            return error
        }

        // Look before touching, through a connection that writes nothing (not even the
        // dummy write a pool makes when it opens): a newer schema is refused and a damaged
        // file found with the file exactly as it was.
        let found = created ? nil : try Self.inspect(path: path, quickCheck: checkedOnOpen, onError: fail)
        if let found, !found.unknown.isEmpty {
            throw fail(StoreError.newerSchema(path: path, unknown: found.unknown.sorted()))
        }
        let readOnly = access == .readOnly && found?.pending == false
        if access == .readOnly && found?.pending == true && !folderWritable {
            throw fail(StoreError.upgradeNeedsWriting(path: path))
        }
        if let problem = found?.damage, !readOnly {
            throw fail(StoreError.damaged(path: path, problem: problem))
        }
        damage = found?.damage.map { "\(StoreError.damaged(path: path, problem: $0)); showing what can still be read" }
        if checkedOnOpen && damage == nil {
            // Checked and sound: the next process in need not read the whole file again.
            openers?.recordChecked()
        }
        self.access = readOnly ? .readOnly : .readWrite
        openers?.share()
        self.openers = openers

        do {
            writer = readOnly
                ? try Self.openReadOnly(path: path, folderWritable: folderWritable)
                : try Self.openReadWrite(path: path)
        } catch {
            throw fail(StoreError.cannotOpen(path: path, reason: "\(error)"))
        }
        if !readOnly {
            do {
                try Self.migrate(writer)
                // Ours now that SQLite read it as a lume database: nobody else's to read.
                try PrivateFiles.tighten(path)
            } catch {
                throw fail(error)
            }
        }
        OpenDatabases.shared.add(self)
    }

    /// A warning when other users may list the database's folder. The file itself is
    /// 0600 either way; the folder is the user's to change, not ours.
    public var folderWarning: String? {
        let folder = (path as NSString).deletingLastPathComponent
        guard PrivateFiles.isOpenToOthers(folder) else { return nil }
        let mode = String(PrivateFiles.mode(of: folder) ?? 0, radix: 8)
        return "other users can list the folder \(folder) (mode \(mode)); `chmod 700 \(folder)` keeps the names of lume-tui's files private"
    }

    /// Closing the connections first lets SQLite fold the write-ahead log back into the
    /// file, so what is recorded is the file as it will stay.
    deinit {
        try? writer.close()
        openers?.leave(record: access == .readWrite)
    }

    /// Records a clean exit (if no other process has the database open) so the next open
    /// need not check the file. Called at exit for every database still open; the
    /// connections stay open (other threads may still be finishing), so the record
    /// describes the files as this process leaves them, log included.
    public func close() {
        openers?.leave(record: access == .readWrite)
    }

    private static func configuration(readOnly: Bool) -> Configuration {
        var configuration = Configuration()
        configuration.readonly = readOnly
        configuration.busyMode = .timeout(10)
        configuration.foreignKeysEnabled = true
        // Two readers are plenty for one user (the UI reads while a reply is written), and
        // each connection keeps its own page cache.
        configuration.maximumReaderCount = 2
        configuration.prepareDatabase { db in
            db.add(tokenizer: SearchTokenizer.self)
            SearchRank.register(db)
            if !readOnly {
                // Durable enough for chat history, and far fewer fsyncs while a reply streams.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            // Read pages through a bounded memory map: a search touches scattered pages of a
            // large file, and a short-lived command starts with an empty SQLite cache. Bounded
            // because every mapped page a query touches counts towards the UI's memory.
            try db.execute(sql: "PRAGMA mmap_size = 33554432")
        }
        return configuration
    }

    private static func openReadWrite(path: String) throws -> any DatabaseWriter {
        try DatabasePool(path: path, configuration: configuration(readOnly: false))
    }

    /// One read-only connection. Where the folder cannot be written (a read-only file
    /// system) SQLite cannot make the write-ahead log's index, so a file left without a log
    /// is opened as immutable, which needs none (with no log, the file is all there is).
    private static func openReadOnly(path: String, folderWritable: Bool) throws -> any DatabaseWriter {
        try DatabaseQueue(path: readOnlyLocation(path, folderWritable: folderWritable), configuration: configuration(readOnly: true))
    }

    static func readOnlyLocation(_ path: String, folderWritable: Bool) -> String {
        if folderWritable || FileManager.default.fileExists(atPath: path + "-wal") { return path }
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path) + "?immutable=1"
    }

    /// What an existing file holds, read without writing anything, not even SQLite's side
    /// files: migrations this build does not know, whether it lacks some this build has,
    /// and (when asked) `PRAGMA quick_check`'s complaints.
    private static func inspect(path: String, quickCheck: Bool, onError: (Error) -> Error) throws
        -> (unknown: Set<String>, pending: Bool, damage: String?)
    {
        do {
            let queue = try DatabaseQueue(path: readOnlyLocation(path, folderWritable: false),
                                          configuration: configuration(readOnly: true))
            defer { try? queue.close() }
            let damage = quickCheck ? Self.quickCheck(queue) : nil
            let schema = try queue.read { db in
                let applied = try appliedMigrations(db)
                return (applied.subtracting(migrator.migrations), !applied.isSuperset(of: migrator.migrations))
            }
            return (schema.0, schema.1, damage)
        } catch {
            throw onError(StoreError.cannotOpen(path: path, reason: "\(error)"))
        }
    }

    /// `PRAGMA quick_check`'s complaints, or nil when the file is sound.
    static func quickCheck(_ reader: any DatabaseReader) -> String? {
        let problems = check(reader, "quick_check", limit: 5)
        return problems.isEmpty ? nil : problems.joined(separator: "; ")
    }

    /// `PRAGMA integrity_check`: every problem SQLite finds (up to `limit`), empty when sound.
    public func integrityProblems(limit: Int = 100) -> [String] {
        Self.check(writer, "integrity_check", limit: limit)
    }

    /// A check's rows, or the error it stopped with (damage bad enough that SQLite cannot
    /// even finish checking is damage too).
    private static func check(_ reader: any DatabaseReader, _ pragma: String, limit: Int) -> [String] {
        do {
            let rows = try reader.read { db in try String.fetchAll(db, sql: "PRAGMA \(pragma)(\(max(1, limit)))") }
            return rows == ["ok"] ? [] : rows
        } catch {
            return ["\(error)"]
        }
    }

    private static func migrate(_ writer: any DatabaseWriter) throws {
        let migrator = Self.migrator
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

/// The databases this process has open, so an orderly exit can record them as left
/// cleanly (a killed process never gets here, which is the point).
final class OpenDatabases: @unchecked Sendable {
    static let shared = OpenDatabases()
    private let lock = NSLock()
    private var open: [ObjectIdentifier: Weak] = [:]

    private struct Weak { weak var database: AppDatabase? }

    private init() {
        atexit { OpenDatabases.shared.closeAll() }
    }

    func add(_ database: AppDatabase) {
        lock.withLock {
            open = open.filter { $0.value.database != nil }
            open[ObjectIdentifier(database)] = Weak(database: database)
        }
    }

    private func closeAll() {
        let databases = lock.withLock { open.values.compactMap(\.database) }
        for database in databases { database.close() }
    }
}
