import Foundation

/// A fresh folder under the system temp dir, removed when the value is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "lume-test") {
        let template = (NSTemporaryDirectory() as NSString).appendingPathComponent("\(label).XXXXXX")
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { fatalError("mkdtemp failed") }
        path = String(cString: made)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A temporary HOME with every XDG variable pointing inside it, so a test's lume-tui never
/// touches the real user's files.
public struct TestHome: Sendable {
    public let directory: TemporaryDirectory

    public init() { directory = TemporaryDirectory("lume-home") }

    public var path: String { directory.path }
    public var configFile: String { path + "/config/lume/config.toml" }
    public var databaseFile: String { path + "/data/lume/lume.sqlite3" }
    public var tokenKeyFile: String { path + "/config/lume/token.key" }
    public var logFile: String { path + "/state/lume/lume.log" }

    /// A clean environment: nothing from the developer's shell leaks in (no real client id).
    public var environment: [String: String] {
        [
            "HOME": path,
            "XDG_CONFIG_HOME": path + "/config",
            "XDG_DATA_HOME": path + "/data",
            "XDG_STATE_HOME": path + "/state",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TZ": "UTC",
        ]
    }

    /// Writes the config file.
    public func writeConfig(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: path + "/config/lume", withIntermediateDirectories: true)
        try text.write(toFile: configFile, atomically: true, encoding: .utf8)
    }
}
