import Foundation

/// The real binary in a real terminal: a tmux server on a private socket (`-L`, no user
/// config), a temporary home, UTF-8, and `capture-pane` polled with a deadline — never a
/// fixed sleep.
public final class TmuxSession: @unchecked Sendable {
    public struct Timeout: Error, CustomStringConvertible {
        public let waitingFor: String
        public let screen: String
        public var description: String { "timed out waiting for \(waitingFor); the screen was:\n\(screen)" }
    }

    public let socket: String
    private let environment: [String: String]

    /// Starts `command` (a shell command line) in a new session of `columns`×`rows`.
    public init(home: TestHome, command: String, columns: Int = 100, rows: Int = 30, extraEnvironment: [String: String] = [:]) throws {
        socket = "lume-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        environment = home.environment.merging(["TERM": "xterm-256color"]) { $1 }.merging(extraEnvironment) { $1 }
        let exports = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        // The pane stays after the process exits, so a test can read what it left behind.
        try tmux(["start-server", ";", "set-option", "-wg", "remain-on-exit", "on", ";",
                  "new-session", "-d", "-x", "\(columns)", "-y", "\(rows)", "exec env -i \(exports) \(command)"])
    }

    deinit { try? tmux(["kill-server"]) }

    /// Starts lume-tui itself with `arguments`.
    public convenience init(home: TestHome, arguments: [String] = [], columns: Int = 100, rows: Int = 30, extraEnvironment: [String: String] = [:]) throws {
        try self.init(home: home, command: ([Products.lumeTUI] + arguments).map(Self.quote).joined(separator: " "),
                      columns: columns, rows: rows, extraEnvironment: extraEnvironment)
    }

    /// Runs a tmux command against this session's server.
    @discardableResult
    public func tmux(_ arguments: [String]) throws -> String {
        let result = try ProcessRunner.run("/usr/bin/tmux", ["-L", socket, "-f", "/dev/null"] + arguments,
                                           environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "TMUX_TMPDIR": NSTemporaryDirectory()], timeout: 20)
        return result.stdout
    }

    public var screen: String { (try? tmux(["capture-pane", "-p"])) ?? "" }

    /// Polls the screen until `predicate` holds, up to `timeout` seconds.
    @discardableResult
    public func waitFor(_ description: String, timeout: TimeInterval = 15, _ predicate: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = screen
            if predicate(last) { return last }
            usleep(50_000)
        }
        throw Timeout(waitingFor: description, screen: last)
    }

    @discardableResult
    public func waitFor(_ text: String, timeout: TimeInterval = 15) throws -> String {
        try waitFor("\"\(text)\"", timeout: timeout) { $0.contains(text) }
    }

    /// Types text literally (UTF-8 included).
    public func type(_ text: String) throws { try tmux(["send-keys", "-l", text]) }

    /// Sends tmux key names: "Enter", "Escape", "C-q", "M-Enter", "PageUp"…
    public func press(_ keys: String...) throws { try tmux(["send-keys"] + keys) }

    /// Pastes text the way a terminal does with bracketed paste.
    public func paste(_ text: String) throws {
        try tmux(["set-buffer", "--", text])
        try tmux(["paste-buffer", "-p"])
    }

    /// Pastes as a terminal without bracketed paste does: the text arrives as keystrokes.
    public func pasteUnbracketed(_ text: String) throws {
        let file = TemporaryDirectory("lume-paste")
        try Data(text.utf8).write(to: URL(fileURLWithPath: file.file("paste")))
        try tmux(["load-buffer", file.file("paste")])
        try tmux(["paste-buffer"])
    }

    public func resize(columns: Int, rows: Int) throws {
        try tmux(["resize-window", "-x", "\(columns)", "-y", "\(rows)"])
    }

    /// The process running in the pane.
    public var pid: Int32? { Int32((try? tmux(["display-message", "-p", "#{pane_pid}"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") }

    public var exited: Bool { ((try? tmux(["display-message", "-p", "#{pane_dead}"])) ?? "").hasPrefix("1") }

    public func waitForExit(timeout: TimeInterval = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if exited { return }
            usleep(50_000)
        }
        throw Timeout(waitingFor: "the process to exit", screen: screen)
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
