import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Creates lume-tui's folders (0700) and files (0600) whatever the umask says.
///
/// Why not FileManager: its attributes are applied after creation, leaving a window in
/// which a permissive umask exposes the file; `open(O_CREAT, 0600)` never does.
public enum PrivateFiles {
    public struct Failure: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// Makes `directory` and any missing parents, each with mode 0700.
    ///
    /// A folder that already exists is never changed: it belongs to the user or to the
    /// system (`--database /tmp/x.sqlite3` must not take `/tmp`'s sticky bit away, nor
    /// `[storage] path = "/tmp"` make `/` private). Only the folders made here are ours.
    public static func makeDirectory(_ directory: String) throws {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for path in missing.reversed() {
            if mkdir(path, 0o700) == 0 {
                // mkdir applies the umask, which may have taken the owner's own bits away.
                _ = chmod(path, 0o700)
            } else if errno != EEXIST {
                throw Failure(path: path, reason: "cannot create folder: \(String(cString: strerror(errno)))")
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(path: directory, reason: "exists and is not a folder")
        }
    }

    /// Creates `path` (mode 0600) if missing, making missing folders 0700, and tightens an
    /// existing file to 0600. Only for files whose path is lume-tui's own (the token key,
    /// the log); a path the user chose is checked before its mode is touched.
    public static func ensureFile(_ path: String) throws {
        try makeDirectory((path as NSString).deletingLastPathComponent)
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw Failure(path: path, reason: "cannot create file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        if fchmod(fd, 0o600) != 0 {
            throw Failure(path: path, reason: "cannot set mode 0600: \(String(cString: strerror(errno)))")
        }
    }

    /// Creates an empty `path` with mode 0600 if it does not exist yet, making missing
    /// folders 0700. Returns whether this call created it; an existing file is left as it is.
    @discardableResult
    public static func createIfMissing(_ path: String) throws -> Bool {
        try makeDirectory((path as NSString).deletingLastPathComponent)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw Failure(path: path, reason: "cannot create file: \(String(cString: strerror(errno)))")
        }
        _ = fchmod(fd, 0o600)
        close(fd)
        return true
    }

    /// Takes group and other access away from a file the current user owns. For a file
    /// already known to be lume-tui's (the database, once SQLite has read it as ours).
    public static func tighten(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0, info.st_uid == getuid(), Int(info.st_mode) & 0o077 != 0 else { return }
        if chmod(path, 0o600) != 0 {
            throw Failure(path: path, reason: "cannot set mode 0600: \(String(cString: strerror(errno)))")
        }
    }

    /// True when other users may list or enter `folder` (any group or other bit set).
    public static func isOpenToOthers(_ folder: String) -> Bool {
        guard let mode = mode(of: folder) else { return false }
        return mode & 0o077 != 0
    }

    /// Writes `data` to a new file created exclusively with mode 0600. Returns false if the
    /// file already exists (another process won the race), leaving it untouched.
    public static func createExclusively(_ path: String, contents data: Data) throws -> Bool {
        try makeDirectory((path as NSString).deletingLastPathComponent)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return false }
            throw Failure(path: path, reason: "cannot create file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        _ = fchmod(fd, 0o600)
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            unlink(path)
            throw Failure(path: path, reason: "cannot write file: \(String(cString: strerror(errno)))")
        }
        return true
    }

    /// The permission bits of `path`, for checks and tests.
    public static func mode(of path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode) & 0o777
    }
}
