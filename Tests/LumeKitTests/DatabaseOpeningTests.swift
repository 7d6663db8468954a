import Foundation
import GRDB
import LumeTestSupport
import Testing
@testable import LumeKit

/// Opening the database in a hostile or careless world: folders that are not ours, files
/// that are not databases, newer schemas, damaged pages, other processes' live replies.
@Suite struct DatabaseOpeningTests {
    let directory = TemporaryDirectory("lume-open")

    func mode(_ path: String) -> Int {
        var info = stat()
        _ = stat(path, &info)
        return Int(info.st_mode) & 0o7777
    }

    /// Every byte of every file in `folder` (the database, its log and index, the lock).
    func snapshot(_ folder: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            files[name] = FileManager.default.contents(atPath: folder + "/" + name)
        }
        return files
    }

    @Test func anExistingFolderIsNeverChanged() throws {
        // Like /tmp: world-writable with the sticky bit.
        let shared = directory.file("shared")
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o1777)
        let database = try AppDatabase(path: shared + "/x.sqlite3")
        #expect(mode(shared) == 0o1777, "the folder keeps its mode and its sticky bit")
        #expect(mode(shared + "/x.sqlite3") == 0o600)
        #expect(database.folderWarning?.contains("other users can list the folder \(shared) (mode 777)") == true)

        // Folders lume-tui makes are private.
        let nested = directory.file("made/for/lume")
        _ = try AppDatabase(path: nested + "/lume.sqlite3")
        #expect(mode(directory.file("made")) == 0o700)
        #expect(mode(nested) == 0o700)
        #expect(try AppDatabase(path: nested + "/lume.sqlite3").folderWarning == nil)
    }

    @Test func aFailedOpenLeavesEverythingAsItWas() throws {
        let folder = directory.file("home")
        try FileManager.default.createDirectory(atPath: folder + "/notes.txt.d", withIntermediateDirectories: true)
        chmod(folder, 0o755)
        // A file that is not a database, readable by others: neither changed nor tightened.
        let notes = folder + "/notes.txt"
        try Data("shopping: milk\n".utf8).write(to: URL(fileURLWithPath: notes))
        chmod(notes, 0o644)
        #expect(throws: StoreError.self) { try AppDatabase(path: notes) }
        #expect(mode(notes) == 0o644)
        #expect(FileManager.default.contents(atPath: notes) == Data("shopping: milk\n".utf8))
        // A folder where the file should be.
        #expect(throws: StoreError.self) { try AppDatabase(path: folder + "/notes.txt.d") }
        #expect(mode(folder) == 0o755)
    }

    @Test func aLooseDatabaseFileIsTightenedOnceSQLiteReadsItAsOurs() throws {
        let path = directory.file("lume.sqlite3")
        _ = try AppDatabase(path: path)
        chmod(path, 0o644)
        _ = try AppDatabase(path: path)
        #expect(mode(path) == 0o600)
    }

    @Test(arguments: ["delete", "wal"])
    func aNewerSchemaIsRefusedBeforeAnythingIsWritten(journal: String) throws {
        let path = directory.file("lume.sqlite3")
        _ = try AppDatabase(path: path)
        let queue = try DatabaseQueue(path: path)
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA journal_mode = \(journal)")
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-future')")
        }
        try queue.close()
        let before = try snapshot(directory.path)
        #expect(throws: StoreError.newerSchema(path: path, unknown: ["v99-future"])) { try AppDatabase(path: path) }
        #expect(throws: StoreError.newerSchema(path: path, unknown: ["v99-future"])) { try AppDatabase(path: path, access: .readOnly) }
        let after = try snapshot(directory.path)
        #expect(after[path.split(separator: "/").last.map(String.init)!] == before[path.split(separator: "/").last.map(String.init)!],
                "the database file is byte for byte as it was")
        #expect(after["lume.sqlite3-wal"] == before["lume.sqlite3-wal"])
    }

    @Test func readOnlyAccessReadsAndChangesNothing() throws {
        let path = directory.file("lume.sqlite3")
        do {
            let writer = try AppDatabase(path: path)
            let conversation = try writer.createConversation(title: "Kept")
            try writer.appendMessage(to: conversation.id!, role: .user, content: "remember the lighthouse")
        }
        let before = try snapshot(directory.path)
        let reader = try AppDatabase(path: path, access: .readOnly)
        #expect(reader.access == .readOnly)
        #expect(try reader.conversations().map(\.title) == ["Kept"])
        #expect(try reader.search("lighthouse").count == 1)
        #expect(throws: (any Error).self) { try reader.createConversation(title: "not allowed") }
        #expect(try snapshot(directory.path)["lume.sqlite3"] == before["lume.sqlite3"])

        // No file yet: a read-only command on a fresh machine still gets an (empty) database.
        let fresh = try AppDatabase(path: directory.file("fresh/lume.sqlite3"), access: .readOnly)
        #expect(try fresh.conversations().isEmpty)
    }

    @Test func aCleanExitSkipsTheCheckAndAnOutsideChangeTriggersIt() throws {
        let path = directory.file("lume.sqlite3")
        do {
            let first = try AppDatabase(path: path)
            #expect(!first.checkedOnOpen, "a new file has nothing to check")
            _ = try first.createConversation(title: "one")
        }
        #expect(!(try AppDatabase(path: path).checkedOnOpen), "left cleanly: no check")

        // Another program (the sqlite3 shell, say) writes while no lume-tui has it open.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "UPDATE conversations SET title = 'changed'") }
        #expect(try AppDatabase(path: path, access: .readOnly).checkedOnOpen)
        // Checked and sound (even by a reader, which writes nothing else): not checked again.
        #expect(!(try AppDatabase(path: path, access: .readOnly).checkedOnOpen))

        // While one process has it open, the next one does not check.
        try queue.write { db in try db.execute(sql: "UPDATE conversations SET title = 'changed again'") }
        let first = try AppDatabase(path: path)
        #expect(first.checkedOnOpen)
        #expect(!(try AppDatabase(path: path).checkedOnOpen))
    }

    @Test func aDamagedPageIsFoundBeforeAnythingIsWritten() throws {
        let path = directory.file("lume.sqlite3")
        do {
            let database = try AppDatabase(path: path)
            let conversation = try database.createConversation(title: "Long")
            for index in 0..<400 {
                try database.appendMessage(to: conversation.id!, role: .user, content: "message \(index) " + String(repeating: "lorem ipsum ", count: 20))
            }
        }
        // Scribble over a page in the middle of the file, as a failing disk would.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: (size / 4096 / 2) * 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
        try handle.close()

        #expect(throws: StoreError.self) { try AppDatabase(path: path) }
        do {
            _ = try AppDatabase(path: path)
        } catch let StoreError.damaged(damagedPath, problem) {
            #expect(damagedPath == path)
            #expect(!problem.isEmpty)
        }
        // Reading what can still be read is allowed, with the damage said.
        let reader = try AppDatabase(path: path, access: .readOnly)
        #expect(reader.damage?.contains("lume-tui admin check") == true)
        #expect(!reader.integrityProblems().isEmpty)
    }

    @Test func theSweepLeavesALiveWritersReplyAlone() throws {
        let database = try AppDatabase(path: directory.file("lume.sqlite3"))
        let conversation = try database.createConversation()
        func streaming(_ writer: String?) throws -> Int64 {
            let metadata = writer.map { JSONValue.object([AppDatabase.writerKey: .string($0)]).text } ?? "{}"
            return try database.appendMessage(to: conversation.id!, role: .assistant, content: "partial", status: .streaming, metadata: metadata).id!
        }
        let live = try streaming(ProcessIdentity.current.description)
        let current = ProcessIdentity.current
        // Our pid with another start time: a process that ended and whose pid came back.
        let reused = try streaming(ProcessIdentity(pid: current.pid, startTime: (current.startTime ?? 0) + 1).description)
        let gone = try streaming(ProcessIdentity(pid: Int32.max - 1, startTime: 1).description)
        let unnamed = try streaming(nil)

        #expect(try database.markAbandonedStreamsInterrupted() == 3)
        #expect(try database.message(id: live)?.status == .streaming)
        for id in [reused, gone, unnamed] {
            #expect(try database.message(id: id)?.status == .interrupted)
        }
    }

    @Test func processIdentitiesRoundTrip() {
        let current = ProcessIdentity.current
        #expect(current.startTime != nil, "Linux records when each process started")
        #expect(ProcessIdentity(current.description) == current)
        #expect(current.isAlive)
        #expect(ProcessIdentity("4242") == ProcessIdentity(pid: 4242, startTime: nil))
        #expect(ProcessIdentity("") == nil)
        #expect(ProcessIdentity("x:1") == nil)
        #expect(ProcessIdentity("-3:1") == nil)
    }
}
