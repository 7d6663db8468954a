import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starting child processes (the browser, $EDITOR) from a multi-threaded program.
///
/// Why not `Process`: Foundation's `Process` considers a child running while any of its
/// descendants holds an inherited descriptor, and a browser launcher may leave a daemon
/// behind. And whatever starts the child, it must not inherit this process's signal
/// state: lume-tui ignores SIGINT/SIGTERM/SIGHUP while its UI runs (it handles them as
/// events) and threads may block signals; an editor or a browser started with those
/// settings could not be interrupted or would never reap its own children.
public enum Subprocess {
    public enum Stream {
        case inherit
        case null
        case file(String, write: Bool)
    }

    /// Spawns `arguments[0]` (a full path) with a clean signal mask and default signal
    /// handlers. Returns the child's pid.
    public static func spawn(_ arguments: [String], environment: [String: String],
                             stdin: Stream = .inherit, stdout: Stream = .inherit, stderr: Stream = .inherit) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (fd, stream) in [(STDIN_FILENO, stdin), (STDOUT_FILENO, stdout), (STDERR_FILENO, stderr)] {
            switch stream {
            case .inherit: break
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            case let .file(path, write):
                posix_spawn_file_actions_addopen(&actions, fd, path, write ? (O_WRONLY | O_CREAT | O_TRUNC) : O_RDONLY, 0o600)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD, SIGTSTP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, &envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .ENOENT) }
        return pid
    }

    /// Waits for `pid`; its exit code (128 + the signal if it was killed).
    public static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return exitCode(status)
    }

    /// Nil while `pid` runs; its exit code once it ended.
    public static func poll(_ pid: pid_t) -> Int32? {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid ? exitCode(status) : nil
    }

    static func exitCode(_ status: Int32) -> Int32 {
        status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }
}
