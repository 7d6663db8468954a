import Foundation

/// Finds the package's built executables: they sit next to the test bundle.
public enum Products {
    public static var directory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }

    public static var lumeTUI: String { directory + "/lume-tui" }
    public static var historyGenerator: String { directory + "/lume-history-generator" }
    public static var testBrowser: String { directory + "/lume-test-browser" }
}

/// What a finished process left behind.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// Runs a program to completion with a deadline, feeding stdin and collecting output.
///
/// Built on posix_spawn with files for stdin/stdout/stderr rather than Foundation's
/// `Process`: `Process` decides a child is still running while any descendant holds an
/// inherited descriptor, and tmux's server (started by a tmux client) holds them for ever.
public enum ProcessRunner {
    public struct TimedOut: Error, CustomStringConvertible {
        public let command: String
        public var description: String { "timed out: \(command)" }
    }

    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String],
        stdin: String? = nil, timeout: TimeInterval = 60
    ) throws -> ProcessResult {
        let directory = TemporaryDirectory("lume-run")
        let inputPath = directory.file("stdin"), outputPath = directory.file("stdout"), errorPath = directory.file("stderr")
        try Data((stdin ?? "").utf8).write(to: URL(fileURLWithPath: inputPath))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, &argv, &envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .ENOENT) }
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if Date() > deadline {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw TimedOut(command: ([executable] + arguments).joined(separator: " "))
            }
            usleep(2000)
        }
        let exited = status & 0x7F == 0
        let code = exited ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let output = String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
        let errors = String(decoding: FileManager.default.contents(atPath: errorPath) ?? Data(), as: UTF8.self)
        return ProcessResult(status: code, stdout: output, stderr: errors)
    }

    /// Runs the lume-tui binary built with the tests.
    @discardableResult
    public static func lume(
        _ arguments: [String], home: TestHome, extraEnvironment: [String: String] = [:],
        stdin: String? = nil, timeout: TimeInterval = 60
    ) throws -> ProcessResult {
        try run(Products.lumeTUI, arguments, environment: home.environment.merging(extraEnvironment) { $1 },
                stdin: stdin, timeout: timeout)
    }
}

