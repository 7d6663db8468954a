import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What happened when the sign-in page was to be opened.
public enum BrowserLaunch: Equatable, Sendable {
    case opened(command: String)
    /// A launcher failure is a warning: the URL is printed anyway.
    case failed(command: String, reason: String)
    /// An SSH session without a display: no browser here to open.
    case headless
    /// `--no-browser`.
    case notRequested

    public var opened: Bool {
        if case .opened = self { return true }
        return false
    }
}

/// Opens URLs in the system browser (never one inside this terminal): the configured
/// command, else `$BROWSER`, else xdg-open / open / wslview.
public struct BrowserLauncher: Sendable {
    public let configuredCommand: String
    public let environment: [String: String]

    public init(configuredCommand: String, environment: [String: String]) {
        self.configuredCommand = configuredCommand
        self.environment = environment
    }

    /// Logged in over SSH with no graphical display: opening a browser would only pretend.
    public var isHeadless: Bool {
        let ssh = environment["SSH_CONNECTION"].map { !$0.isEmpty } == true || environment["SSH_TTY"].map { !$0.isEmpty } == true
        let display = environment["DISPLAY"].map { !$0.isEmpty } == true || environment["WAYLAND_DISPLAY"].map { !$0.isEmpty } == true
        return ssh && !display
    }

    /// The shell command that will open a URL (which is passed as `$1`, never spliced into
    /// the command line), or nil when there is none.
    public var command: String? {
        if !configuredCommand.isEmpty { return configuredCommand }
        if let browser = environment["BROWSER"], !browser.isEmpty {
            // $BROWSER may list alternatives separated by ':'; the first is used. "%s" marks
            // where the URL goes; without it the URL is the last argument.
            let first = browser.split(separator: ":").first.map(String.init) ?? browser
            return first.contains("%s") ? first.replacingOccurrences(of: "%s", with: "\"$1\"") : first
        }
        for opener in ["xdg-open", "open", "wslview"] where Self.inPath(opener, environment["PATH"] ?? "") {
            return opener
        }
        return nil
    }

    /// Opens `url`. Waits up to `wait` seconds to see the command fail; a command still
    /// running then (a browser itself) counts as opened.
    public func open(_ url: String, wait: TimeInterval = 2) -> BrowserLaunch {
        if configuredCommand.isEmpty && isHeadless { return .headless }
        guard let command else { return .failed(command: "", reason: "no browser command found (set [oauth] browser or $BROWSER)") }
        let script = command.contains("\"$1\"") ? command : command + " \"$1\""
        let pid: pid_t
        do {
            pid = try Subprocess.spawn(["/bin/sh", "-c", script, "lume-tui-browser", url], environment: environment,
                                       stdin: .null, stdout: .null, stderr: .null)
        } catch {
            return .failed(command: command, reason: "\(error)")
        }
        let deadline = Date().addingTimeInterval(wait)
        while Date() < deadline {
            if let exitCode = Subprocess.poll(pid) {
                return exitCode == 0 ? .opened(command: command) : .failed(command: command, reason: "it exited with status \(exitCode)")
            }
            usleep(20_000)
        }
        // Still running: a browser process. Reap it whenever it ends.
        Thread.detachNewThread { _ = Subprocess.wait(pid) }
        return .opened(command: command)
    }

    static func inPath(_ program: String, _ path: String) -> Bool {
        path.split(separator: ":").contains { access("\($0)/\(program)", X_OK) == 0 }
    }
}
