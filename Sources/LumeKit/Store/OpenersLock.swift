import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A lock file beside the database (`lume.sqlite3.lock`, 0600) that every lume-tui process
/// holds shared while the database is open, and that remembers how the files looked when
/// the last one left cleanly.
///
/// Why: SQLite does not notice a damaged page until a query reads it, and a kill or crash
/// is exactly when pages go bad. Checking every open would cost a whole-file read; checking
/// only when the files changed since a clean exit costs one `stat`. The first process in
/// (an exclusive lock succeeds) compares the files with the record and, if they differ,
/// runs `PRAGMA quick_check` while it still holds the lock, so later processes wait for
/// the verdict, and records the files once they pass. The last process out that wrote (its
/// exclusive lock succeeds) records the files again. A process that was killed never
/// records, so the next one checks.
///
/// `flock` locks belong to the open file description, so two databases open in one
/// process (as in the tests) hold separate locks, as two processes would.
final class OpenersLock: @unchecked Sendable {
    let path: String
    private let databasePath: String
    private let lock = NSLock()
    private var fd: Int32

    /// Opens the lock file of the database at `databasePath`, creating it when `create`.
    /// Nil when it cannot be opened (a read-only folder): the database then goes unchecked.
    init?(databasePath: String, create: Bool) {
        path = databasePath + ".lock"
        self.databasePath = databasePath
        let flags = create ? (O_RDWR | O_CREAT | O_CLOEXEC) : (O_RDWR | O_CLOEXEC)
        fd = open(path, flags, 0o600)
        if fd < 0 { return nil }
    }

    deinit { leave(record: false) }

    /// Joins the processes that have the database open. Returns true when this process is
    /// the only one and the files changed since the last clean exit: the caller should
    /// check the database, then call `share()`. Otherwise it already holds a shared lock.
    func join() -> Bool {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            let recorded = String(data: readAll(), encoding: .utf8)
            if recorded == FilesStamp.of(databasePath).text { share(); return false }
            return true
        }
        // Someone else has it open (or is checking it: wait for their verdict).
        while flock(fd, LOCK_SH) != 0 && errno == EINTR {}
        return false
    }

    /// Records the files as they are now, as known sound: called while `join`'s exclusive
    /// lock is held, after a check found no damage, so the next opener need not check again.
    func recordChecked() {
        lock.withLock { writeStamp() }
    }

    /// Turns the exclusive lock taken by `join` into a shared one.
    func share() {
        while flock(fd, LOCK_SH) != 0 && errno == EINTR {}
    }

    /// Leaves. With `record`, and if no other process has the database open, writes down
    /// how the files look now, so the next opener knows they were left cleanly.
    func leave(record: Bool) {
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { return }
        if record, flock(fd, LOCK_EX | LOCK_NB) == 0 { writeStamp() }
        close(fd)
        fd = -1
    }

    private func writeStamp() {
        guard fd >= 0 else { return }
        let text = Array(FilesStamp.of(databasePath).text.utf8)
        if ftruncate(fd, 0) == 0 {
            _ = pwrite(fd, text, text.count, 0)
        }
    }

    private func readAll() -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 256)
        var offset: off_t = 0
        while true {
            let count = pread(fd, &buffer, buffer.count, offset)
            if count <= 0 { break }
            data.append(contentsOf: buffer[0..<count])
            offset += off_t(count)
            if data.count > 4096 { break }
        }
        return data
    }
}

/// What identifies the database files' state: the database's device, inode, size and
/// modification time, and the write-ahead log's size (a clean close leaves none).
struct FilesStamp: Equatable {
    let text: String

    static func of(_ databasePath: String) -> FilesStamp {
        FilesStamp(text: "db \(describe(databasePath)) wal \(describe(databasePath + "-wal"))")
    }

    private static func describe(_ path: String) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { return "none" }
        #if canImport(Darwin)
        let modified = info.st_mtimespec
        #else
        let modified = info.st_mtim
        #endif
        return "\(info.st_dev):\(info.st_ino):\(info.st_size):\(modified.tv_sec).\(modified.tv_nsec)"
    }
}
