import Foundation
import LumeKit

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
/// Built on `Subprocess` with files for stdin/stdout/stderr rather than Foundation's
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
        let pid = try Subprocess.spawn([executable] + arguments, environment: environment,
                                       stdin: .file(inputPath, write: false), stdout: .file(outputPath, write: true), stderr: .file(errorPath, write: true))
        let deadline = Date().addingTimeInterval(timeout)
        var code: Int32
        while true {
            if let exited = Subprocess.poll(pid) {
                code = exited
                break
            }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = Subprocess.wait(pid)
                throw TimedOut(command: ([executable] + arguments).joined(separator: " "))
            }
            usleep(2000)
        }
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

