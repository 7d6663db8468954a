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

    /// Resolves every path once the config is known, each made absolute: `--database` is
    /// relative to the current folder (like any command-line path), `[storage] path` to the
    /// config file's folder (so the setting means the same from wherever lume-tui starts).
    public static func resolve(
        configFile: String, storagePath: String, databaseOverride: String?, environment: [String: String],
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) -> AppPaths {
        let database: String
        if let databaseOverride, !databaseOverride.isEmpty {
            database = absolute(expandTilde(databaseOverride, environment), in: currentDirectory)
        } else if !storagePath.isEmpty {
            let configFolder = absolute((configFile as NSString).deletingLastPathComponent, in: currentDirectory)
            database = absolute(expandTilde(storagePath, environment), in: configFolder)
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

    /// `path` made absolute against `folder`, with empty, `.` and `..` parts folded away
    /// by their text alone (symbolic links are left for the system to follow).
    public static func absolute(_ path: String, in folder: String) -> String {
        let joined = path.hasPrefix("/") ? path : folder + "/" + path
        var parts: [Substring] = []
        for part in joined.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": _ = parts.popLast()
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

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
