import Foundation
import TOMLKit

/// A configuration problem a user can fix, worded so the message alone says where and what.
public enum ConfigError: Error, Equatable, CustomStringConvertible {
    /// The file is not valid TOML.
    case syntax(file: String, line: Int, column: Int, message: String)
    /// A known key holds a value of the wrong type or out of range. `line` is nil when the
    /// key could not be located in the text (dotted keys, inline tables).
    case invalidValue(file: String, line: Int?, key: String, message: String)
    /// The file exists but cannot be read.
    case unreadable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .syntax(file, line, column, message):
            return "\(file):\(line):\(column): invalid TOML: \(message)"
        case let .invalidValue(file, line, key, message):
            let place = line.map { "\(file):\($0)" } ?? file
            return "\(place): \(key): \(message)"
        case let .unreadable(file, reason):
            return "\(file): cannot read the configuration: \(reason)"
        }
    }
}

/// The outcome of parsing: a valid configuration plus warnings (unknown keys) worth showing.
public struct ParsedConfig: Equatable, Sendable {
    public var config: Config
    public var warnings: [String]
}

/// Turns config text into a validated `Config`. Pure: the environment is passed in.
public enum ConfigParser {
    /// Parses `text` (the contents of `file`, named in messages) and applies the
    /// `GOOGLE_CLIENT_ID`/`GOOGLE_CLIENT_SECRET` overrides from `environment`.
    public static func parse(_ text: String, file: String, environment: [String: String]) throws -> ParsedConfig {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError.syntax(
                file: file, line: error.source.begin.line, column: error.source.begin.column,
                message: error.description)
        }
        var config = Config()
        var warnings: [String] = []
        let locator = KeyLocator(text: text)
        if let line = NulEscapeScanner.firstLine(in: text) {
            throw ConfigError.invalidValue(file: file, line: line, key: locator.key(at: line) ?? "a string",
                                           message: "contains the control character U+0000; settings are plain text")
        }
        try apply(table, path: [], to: &config, warnings: &warnings, file: file, locator: locator)
        applyEnvironment(environment, to: &config)
        return ParsedConfig(config: config, warnings: warnings)
    }

    /// Defaults plus environment overrides, for when no config file exists.
    public static func defaults(environment: [String: String]) -> Config {
        var config = Config()
        applyEnvironment(environment, to: &config)
        return config
    }

    static func applyEnvironment(_ environment: [String: String], to config: inout Config) {
        // The original backend read these names; keeping them lets one shell profile serve both.
        if let id = environment["GOOGLE_CLIENT_ID"], !id.isEmpty { config.google.clientID = id }
        if let secret = environment["GOOGLE_CLIENT_SECRET"], !secret.isEmpty { config.google.clientSecret = secret }
    }

    private static func apply(
        _ table: TOMLTable, path: [String], to config: inout Config,
        warnings: inout [String], file: String, locator: KeyLocator
    ) throws {
        for key in table.keys.sorted() {
            guard let value = table[key] else { continue }
            let keyPath = path + [key]
            let dotted = keyPath.joined(separator: ".")
            if let setting = ConfigSchema.settings[dotted] {
                do {
                    try setting.apply(value, &config)
                } catch let problem as ValueProblem {
                    throw ConfigError.invalidValue(
                        file: file, line: locator.line(of: keyPath), key: dotted, message: problem.message)
                }
            } else if ConfigSchema.sections.contains(dotted) {
                guard let subtable = value.table else {
                    throw ConfigError.invalidValue(
                        file: file, line: locator.line(of: keyPath), key: dotted,
                        message: "expected a table ([\(dotted)]), found \(describe(value.type))")
                }
                try apply(subtable, path: keyPath, to: &config, warnings: &warnings, file: file, locator: locator)
            } else {
                let place = locator.line(of: keyPath).map { "\(file):\($0)" } ?? file
                warnings.append("\(place): unknown key \(dotted) (ignored)")
            }
        }
    }

    static func describe(_ type: TOMLType) -> String {
        switch type {
        case .table: return "a table"
        case .array: return "an array"
        case .string: return "a string"
        case .int: return "an integer"
        case .double: return "a number"
        case .bool: return "a boolean"
        case .date, .time, .dateTime: return "a date/time"
        }
    }
}

/// Why a single value was rejected; turned into `ConfigError.invalidValue` with its location.
struct ValueProblem: Error {
    let message: String
}

/// Every known key, its type and its validation, in one table.
enum ConfigSchema {
    struct Setting: Sendable {
        let apply: @Sendable (TOMLValueConvertible, inout Config) throws -> Void
    }

    static let sections: Set<String> = ["google", "google.api", "oauth", "assistant", "storage"]

    static let settings: [String: Setting] = [
        "google.client_id": string { $0.google.clientID = $1 },
        "google.client_secret": string { $0.google.clientSecret = $1 },
        "google.issuer": string { config, value in
            // Google's ID tokens say "accounts.google.com" or the https form; both are accepted
            // at check time, but the configured value itself must be a URL.
            try requireHTTPURL(value)
            config.google.issuer = value
        },
        "google.authorization_endpoint": url { $0.google.authorizationEndpoint = $1 },
        "google.token_endpoint": url { $0.google.tokenEndpoint = $1 },
        "google.revocation_endpoint": url { $0.google.revocationEndpoint = $1 },
        "google.userinfo_endpoint": url { $0.google.userinfoEndpoint = $1 },
        "google.api.gmail": url { $0.googleAPI.gmail = $1 },
        "google.api.calendar": url { $0.googleAPI.calendar = $1 },
        "google.api.tasks": url { $0.googleAPI.tasks = $1 },
        "google.api.keep": url { $0.googleAPI.keep = $1 },
        "google.api.people": url { $0.googleAPI.people = $1 },
        "oauth.host": string { config, value in
            guard LoopbackAddress.isLoopbackLiteral(value) else {
                throw ValueProblem(message: "\"\(value)\" is not a loopback IP literal; use \"127.0.0.1\" (or \"::1\") — the listener never binds anything else")
            }
            config.oauth.host = value
        },
        "oauth.port": integer { config, value in
            guard (0...65535).contains(value) else {
                throw ValueProblem(message: "\(value) is not a TCP port (0–65535; 0 picks a free one)")
            }
            config.oauth.port = value
        },
        "oauth.timeout": integer { config, value in
            guard (1...86400).contains(value) else {
                throw ValueProblem(message: "\(value) is not a timeout in seconds (1–86400)")
            }
            config.oauth.timeout = value
        },
        "oauth.browser": string { $0.oauth.browser = $1 },
        "assistant.provider": string { config, value in
            guard let provider = Config.Provider(rawValue: value) else {
                let known = Config.Provider.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ")
                throw ValueProblem(message: "unknown provider \"\(value)\"; expected \(known)")
            }
            config.assistant.provider = provider
        },
        "assistant.base_url": url { $0.assistant.baseURL = $1 },
        "assistant.model": string { $0.assistant.model = $1 },
        "assistant.api_key_env": string { config, value in
            let valid = !value.isEmpty && value.utf8.allSatisfy { $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
            guard valid, !(48...57).contains(value.utf8.first!) else {
                throw ValueProblem(message: "\"\(value)\" is not an environment variable name")
            }
            config.assistant.apiKeyEnv = value
        },
        "assistant.history_budget": integer { config, value in
            guard (256...1_000_000).contains(value) else {
                throw ValueProblem(message: "\(value) is not a history budget in tokens (256–1000000)")
            }
            config.assistant.historyBudget = value
        },
        "storage.path": string { $0.storage.path = $1 },
    ]

    private static func string(_ set: @escaping @Sendable (inout Config, String) throws -> Void) -> Setting {
        Setting { value, config in
            guard let string = value.string else {
                throw ValueProblem(message: "expected a string, found \(ConfigParser.describe(value.type))")
            }
            // A NUL would cut a path short where the C library reads it ("/tmp/a\u0000b"
            // opens "/tmp/a"), and other control characters have no place in a setting.
            if let control = string.unicodeScalars.first(where: isControl) {
                let code = String(control.value, radix: 16, uppercase: true)
                throw ValueProblem(message: "contains the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code); settings are plain text")
            }
            try set(&config, string)
        }
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private static func integer(_ set: @escaping @Sendable (inout Config, Int) throws -> Void) -> Setting {
        Setting { value, config in
            guard let int = value.int else {
                throw ValueProblem(message: "expected an integer, found \(ConfigParser.describe(value.type))")
            }
            try set(&config, int)
        }
    }

    private static func url(_ set: @escaping @Sendable (inout Config, String) -> Void) -> Setting {
        string { config, value in
            try requireHTTPURL(value)
            set(&config, value)
        }
    }

    /// `encodedHost`, not `host`: decoding an internationalised host is ICU's IDNA, and
    /// checking that a host is there needs no decoding (ICU stays unmapped, issue 5).
    private static func requireHTTPURL(_ value: String) throws {
        guard let components = URLComponents(string: value),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.encodedHost, !host.isEmpty
        else {
            throw ValueProblem(message: "\"\(value)\" is not an http(s) URL")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw ValueProblem(message: "\"\(value)\" has port \(port), which is not a TCP port (1–65535)")
        }
    }
}

/// Finds the line where a key is written, so value errors can point at it.
///
/// TOMLKit does not expose source positions for values, only for syntax errors, so this
/// scans the text for `[section]` headers and `key =` lines. Keys it cannot find (dotted
/// keys, inline tables) get no line, and the message names the key instead.
struct KeyLocator {
    private var lines: [String: Int] = [:]

    init(text: String) {
        var section: [String] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                let inner = line.drop { $0 == "[" }.prefix { $0 != "]" }
                section = inner.split(separator: ".").map { Self.unquote($0.trimmingCharacters(in: .whitespaces)) }
                let joined = section.joined(separator: ".")
                if lines[joined] == nil { lines[joined] = index + 1 }
            } else if let equals = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = Self.unquote(line[..<equals].trimmingCharacters(in: .whitespaces))
                let joined = (section + [key]).joined(separator: ".")
                if lines[joined] == nil { lines[joined] = index + 1 }
            }
        }
    }

    func line(of keyPath: [String]) -> Int? { lines[keyPath.joined(separator: ".")] }

    /// The key written last at or before `line`: the one a value on that line belongs to.
    func key(at line: Int) -> String? {
        lines.filter { $0.value <= line }.max { $0.value < $1.value }?.key
    }

    private static func unquote(_ s: String) -> String {
        if s.count >= 2, let first = s.first, first == "\"" || first == "'", s.last == first {
            return String(s.dropFirst().dropLast())
        }
        return s
    }
}

/// Finds a NUL written as an escape (`\u0000`, `\U00000000`) in a basic string.
///
/// Why a scan of our own: the TOML library hands strings over as C strings, so a NUL cuts
/// the value short before we see it ("/tmp/a\u0000b" arrives as "/tmp/a"). The scan
/// follows TOML's quoting (basic and literal strings, single- and multi-line, comments)
/// so an escaped backslash or a literal string is never mistaken for one.
enum NulEscapeScanner {
    private enum Context { case code, comment, basic, multilineBasic, literal, multilineLiteral }

    static func firstLine(in text: String) -> Int? {
        let bytes = Array(text.utf8)
        var line = 1
        var index = 0
        var context = Context.code
        func starts(with marker: String, at position: Int) -> Bool {
            let pattern = Array(marker.utf8)
            return position + pattern.count <= bytes.count && bytes[position..<position + pattern.count].elementsEqual(pattern)
        }
        let tripleQuote = String(repeating: "\"", count: 3), tripleApostrophe = String(repeating: "'", count: 3)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") {
                line += 1
                if context == .comment || context == .basic || context == .literal { context = .code }
                index += 1
                continue
            }
            switch context {
            case .code:
                if byte == UInt8(ascii: "#") { context = .comment }
                else if starts(with: tripleQuote, at: index) { context = .multilineBasic; index += 2 }
                else if starts(with: tripleApostrophe, at: index) { context = .multilineLiteral; index += 2 }
                else if byte == UInt8(ascii: "\"") { context = .basic }
                else if byte == UInt8(ascii: "'") { context = .literal }
            case .comment:
                break
            case .literal:
                if byte == UInt8(ascii: "'") { context = .code }
            case .multilineLiteral:
                if starts(with: tripleApostrophe, at: index) { context = .code; index += 2 }
            case .basic, .multilineBasic:
                if byte == UInt8(ascii: "\\") {
                    if starts(with: "\\u0000", at: index) || starts(with: "\\U00000000", at: index) { return line }
                    index += 1  // whatever is escaped (a quote, a backslash) does not end the string
                } else if context == .basic && byte == UInt8(ascii: "\"") {
                    context = .code
                } else if context == .multilineBasic && starts(with: tripleQuote, at: index) {
                    context = .code
                    index += 2
                }
            }
            index += 1
        }
        return nil
    }
}

/// Loopback checks shared by the config validation and the listener.
public enum LoopbackAddress {
    /// True for IPv4 127.0.0.0/8 literals and the IPv6 `::1` literal; never for names like
    /// `localhost`, whose resolution can be changed (RFC 8252 §8.3).
    public static func isLoopbackLiteral(_ host: String) -> Bool {
        if host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        let octets = parts.compactMap { part -> Int? in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let n = Int(part), (0...255).contains(n) else { return nil }
            return n
        }
        return octets.count == 4 && octets[0] == 127
    }
}
