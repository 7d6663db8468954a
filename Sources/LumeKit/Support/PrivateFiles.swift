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

    /// Makes `directory` and any missing parents with mode 0700, and tightens `directory`
    /// itself to 0700 if it already existed (it is ours: `.../lume`). Parents that already
    /// existed are left alone: they belong to the user.
    public static func makeDirectory(_ directory: String) throws {
        var missing: [String] = []
        var current = directory
        while !current.isEmpty, current != "/", !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        for path in missing.reversed() {
            if mkdir(path, 0o700) != 0 && errno != EEXIST {
                throw Failure(path: path, reason: "cannot create folder: \(String(cString: strerror(errno)))")
            }
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Failure(path: directory, reason: "exists and is not a folder")
        }
        if chmod(directory, 0o700) != 0 {
            throw Failure(path: directory, reason: "cannot set mode 0700: \(String(cString: strerror(errno)))")
        }
    }

    /// Creates `path` (mode 0600) if missing, in a 0700 parent, and tightens an existing
    /// file to 0600.
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
