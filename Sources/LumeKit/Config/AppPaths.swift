import Foundation

/// Where lume-tui keeps its files, following the XDG base-directory variables.
public struct AppPaths: Equatable, Sendable {
    public var configFile: String
    public var databaseFile: String
    public var tokenKeyFile: String
    public var logFile: String

    /// The config file to read: `--config`, else `$LUME_CONFIG`, else the XDG default.
    /// `explicit` is true when the user named the file, so a missing file is an error
    /// rather than "use the defaults".
    public static func configFile(override: String?, environment: [String: String]) -> (path: String, explicit: Bool) {
        if let override, !override.isEmpty { return (expandTilde(override, environment), true) }
        if let fromEnv = environment["LUME_CONFIG"], !fromEnv.isEmpty { return (expandTilde(fromEnv, environment), true) }
        return (configHome(environment) + "/lume/config.toml", false)
    }

    /// Resolves every path once the config is known.
    public static func resolve(
        configFile: String, storagePath: String, databaseOverride: String?, environment: [String: String]
    ) -> AppPaths {
        let database: String
        if let databaseOverride, !databaseOverride.isEmpty {
            database = expandTilde(databaseOverride, environment)
        } else if !storagePath.isEmpty {
            database = expandTilde(storagePath, environment)
        } else {
            database = dataHome(environment) + "/lume/lume.sqlite3"
        }
        return AppPaths(
            configFile: configFile,
            databaseFile: database,
            tokenKeyFile: configHome(environment) + "/lume/token.key",
            logFile: stateHome(environment) + "/lume/lume.log")
    }

    static func home(_ environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return NSHomeDirectory()
    }

    /// XDG says relative values are invalid and must be ignored.
    private static func xdg(_ name: String, default suffix: String, _ environment: [String: String]) -> String {
        if let value = environment[name], value.hasPrefix("/") { return value }
        return home(environment) + suffix
    }

    static func configHome(_ environment: [String: String]) -> String { xdg("XDG_CONFIG_HOME", default: "/.config", environment) }
    static func dataHome(_ environment: [String: String]) -> String { xdg("XDG_DATA_HOME", default: "/.local/share", environment) }
    static func stateHome(_ environment: [String: String]) -> String { xdg("XDG_STATE_HOME", default: "/.local/state", environment) }

    static func expandTilde(_ path: String, _ environment: [String: String]) -> String {
        if path == "~" { return home(environment) }
        if path.hasPrefix("~/") { return home(environment) + path.dropFirst() }
        return path
    }
}

/// A configuration read from disk (or the defaults), with where it came from.
public struct LoadedConfig: Sendable {
    public var config: Config
    public var warnings: [String]
    public var file: String
    public var fileExists: Bool
}

public enum ConfigLoader {
    /// Reads and validates the config file chosen by `AppPaths.configFile`.
    public static func load(override: String?, environment: [String: String]) throws -> LoadedConfig {
        let (path, explicit) = AppPaths.configFile(override: override, environment: environment)
        guard FileManager.default.fileExists(atPath: path) else {
            if explicit { throw ConfigError.unreadable(file: path, reason: "no such file") }
            return LoadedConfig(config: ConfigParser.defaults(environment: environment), warnings: [], file: path, fileExists: false)
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigError.unreadable(file: path, reason: (error as NSError).localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError.unreadable(file: path, reason: "not UTF-8 text")
        }
        let parsed = try ConfigParser.parse(text, file: path, environment: environment)
        return LoadedConfig(config: parsed.config, warnings: parsed.warnings, file: path, fileExists: true)
    }
}
