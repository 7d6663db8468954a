import Foundation
import Testing
@testable import LumeKit

@Suite struct ConfigTests {
    let file = "/home/ada/.config/lume/config.toml"

    func parse(_ text: String, environment: [String: String] = [:]) throws -> ParsedConfig {
        try ConfigParser.parse(text, file: file, environment: environment)
    }

    func error(_ text: String) -> ConfigError? {
        do {
            _ = try parse(text)
            return nil
        } catch let error as ConfigError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func emptyFileMeansDefaults() throws {
        #expect(try parse("").config == Config())
        #expect(try parse("").warnings.isEmpty)
    }

    @Test func sampleFileDocumentsExactlyTheDefaults() throws {
        let sample = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("config.sample.toml")
        let text = try String(contentsOf: sample, encoding: .utf8)
        let parsed = try parse(text)
        #expect(parsed.config == Config())
        #expect(parsed.warnings.isEmpty, "the sample must not contain unknown keys")
        // Every known key appears in the sample.
        for key in ConfigSchema.settings.keys {
            let leaf = key.split(separator: ".").last!
            #expect(text.contains("\n\(leaf) = "), "config.sample.toml lacks \(key)")
        }
    }

    @Test func readsEveryKind() throws {
        let config = try parse("""
            [google]
            client_id = "abc.apps.googleusercontent.com"
            token_endpoint = "http://127.0.0.1:9000/token"
            [google.api]
            gmail = "http://127.0.0.1:9000/gmail/v1"
            [oauth]
            port = 8765
            timeout = 30
            browser = "firefox --new-window"
            [assistant]
            provider = "openai"
            model = "llama3"
            api_key_env = "MY_KEY"
            history_budget = 2000
            [storage]
            path = "/tmp/x.sqlite3"
            """).config
        #expect(config.google.clientID == "abc.apps.googleusercontent.com")
        #expect(config.google.tokenEndpoint == "http://127.0.0.1:9000/token")
        #expect(config.googleAPI.gmail == "http://127.0.0.1:9000/gmail/v1")
        #expect(config.oauth.port == 8765)
        #expect(config.oauth.timeout == 30)
        #expect(config.oauth.browser == "firefox --new-window")
        #expect(config.assistant.provider == .openai)
        #expect(config.assistant.model == "llama3")
        #expect(config.assistant.apiKeyEnv == "MY_KEY")
        #expect(config.assistant.historyBudget == 2000)
        #expect(config.storage.path == "/tmp/x.sqlite3")
    }

    @Test func environmentOverridesClientCredentials() throws {
        let config = try parse("[google]\nclient_id = \"from-file\"\nclient_secret = \"s1\"\n",
                               environment: ["GOOGLE_CLIENT_ID": "from-env", "GOOGLE_CLIENT_SECRET": "s2"]).config
        #expect(config.google.clientID == "from-env")
        #expect(config.google.clientSecret == "s2")
        #expect(ConfigParser.defaults(environment: ["GOOGLE_CLIENT_ID": "x"]).google.clientID == "x")
        // An empty variable does not wipe the file's value.
        #expect(try parse("[google]\nclient_id = \"kept\"\n", environment: ["GOOGLE_CLIENT_ID": ""]).config.google.clientID == "kept")
    }

    @Test func syntaxErrorNamesFileLineAndColumn() {
        let failure = error("[oauth]\nport = 80\n[assistant\nmodel = \"x\"\n")
        guard case let .syntax(file, line, column, _)? = failure else {
            Issue.record("expected a syntax error, got \(String(describing: failure))")
            return
        }
        #expect(file == self.file)
        #expect(line == 3)
        #expect(column > 0)
        #expect(failure!.description.hasPrefix("\(self.file):3:"))
    }

    @Test func wrongTypeNamesTheKeyAndLine() {
        let failure = error("# comment\n[oauth]\nhost = \"127.0.0.1\"\nport = \"8080\"\n")
        #expect(failure == .invalidValue(file: file, line: 4, key: "oauth.port", message: "expected an integer, found a string"))
        #expect(failure?.description == "\(file):4: oauth.port: expected an integer, found a string")
    }

    @Test(arguments: [
        ("[oauth]\nport = 70000", "oauth.port", "70000 is not a TCP port"),
        ("[oauth]\nport = -1", "oauth.port", "-1 is not a TCP port"),
        ("[oauth]\ntimeout = 0", "oauth.timeout", "0 is not a timeout"),
        ("[oauth]\nhost = \"0.0.0.0\"", "oauth.host", "not a loopback IP literal"),
        ("[oauth]\nhost = \"localhost\"", "oauth.host", "not a loopback IP literal"),
        ("[google]\ntoken_endpoint = \"ftp://example.com/token\"", "google.token_endpoint", "is not an http(s) URL"),
        ("[google]\nauthorization_endpoint = \"not a url\"", "google.authorization_endpoint", "is not an http(s) URL"),
        ("[google.api]\ngmail = \"\"", "google.api.gmail", "is not an http(s) URL"),
        ("[assistant]\nprovider = \"gpt\"", "assistant.provider", "unknown provider \"gpt\"; expected \"builtin\" or \"openai\""),
        ("[assistant]\napi_key_env = \"MY KEY\"", "assistant.api_key_env", "is not an environment variable name"),
        ("[assistant]\nhistory_budget = 10", "assistant.history_budget", "10 is not a history budget in tokens"),
        ("[assistant]\nbase_url = 12", "assistant.base_url", "expected a string, found an integer"),
        ("oauth = 3", "oauth", "expected a table"),
        // A NUL would cut the path short where the C library reads it.
        ("[storage]\npath = \"/tmp/a\\u0000b\"", "storage.path", "control character U+0000"),
        ("[oauth]\nbrowser = \"firefox\\u001b[2J\"", "oauth.browser", "control character U+001B"),
        ("[assistant]\nmodel = \"llama\\u0085\"", "assistant.model", "control character U+0085"),
        ("[assistant]\nbase_url = \"http://127.0.0.1:70000/v1\"", "assistant.base_url", "port 70000, which is not a TCP port"),
        ("[google]\ntoken_endpoint = \"http://127.0.0.1:99999999999/token\"", "google.token_endpoint", "is not a TCP port"),
        ("[google.api]\ngmail = \"http://127.0.0.1:0/gmail/v1\"", "google.api.gmail", "port 0, which is not a TCP port"),
    ])
    func invalidValuesAreRejectedWithTheKey(text: String, key: String, fragment: String) {
        let failure = error(text)
        guard case let .invalidValue(_, line, reportedKey, message)? = failure else {
            Issue.record("expected invalidValue for \(text), got \(String(describing: failure))")
            return
        }
        #expect(reportedKey == key)
        #expect(line != nil)
        #expect(message.contains(fragment), "\(message)")
    }

    @Test func unknownKeysWarnWithTheirLine() throws {
        let parsed = try parse("[oauth]\nprot = 8080\n[colours]\nbg = \"red\"\n")
        #expect(parsed.config == Config())
        #expect(parsed.warnings == [
            "\(file):3: unknown key colours (ignored)",
            "\(file):2: unknown key oauth.prot (ignored)",
        ])
    }

    @Test func loopbackLiterals() {
        #expect(LoopbackAddress.isLoopbackLiteral("127.0.0.1"))
        #expect(LoopbackAddress.isLoopbackLiteral("127.1.2.3"))
        #expect(LoopbackAddress.isLoopbackLiteral("::1"))
        #expect(!LoopbackAddress.isLoopbackLiteral("localhost"))
        #expect(!LoopbackAddress.isLoopbackLiteral("0.0.0.0"))
        #expect(!LoopbackAddress.isLoopbackLiteral("128.0.0.1"))
        #expect(!LoopbackAddress.isLoopbackLiteral("127.0.0.256"))
        #expect(!LoopbackAddress.isLoopbackLiteral("127.0.0"))
    }

    @Test func pathsFollowXDG() {
        let env = ["HOME": "/home/ada", "XDG_CONFIG_HOME": "/cfg", "XDG_DATA_HOME": "relative/ignored"]
        #expect(AppPaths.configFile(override: nil, environment: env) == ("/cfg/lume/config.toml", false))
        #expect(AppPaths.configFile(override: nil, environment: env.merging(["LUME_CONFIG": "~/l.toml"]) { $1 }) == ("/home/ada/l.toml", true))
        #expect(AppPaths.configFile(override: "/x.toml", environment: env.merging(["LUME_CONFIG": "/y.toml"]) { $1 }) == ("/x.toml", true))
        let paths = AppPaths.resolve(configFile: "/cfg/lume/config.toml", storagePath: "", databaseOverride: nil, environment: env)
        #expect(paths.databaseFile == "/home/ada/.local/share/lume/lume.sqlite3")
        #expect(paths.tokenKeyFile == "/cfg/lume/token.key")
        #expect(paths.logFile == "/home/ada/.local/state/lume/lume.log")
        #expect(AppPaths.resolve(configFile: "", storagePath: "~/db.sqlite3", databaseOverride: nil, environment: env).databaseFile == "/home/ada/db.sqlite3")
        #expect(AppPaths.resolve(configFile: "", storagePath: "~/db.sqlite3", databaseOverride: "/o.sqlite3", environment: env).databaseFile == "/o.sqlite3")
    }

    /// `[storage] path` means the same file wherever lume-tui is started: relative to the
    /// config file's folder. `--database` is a command-line path: relative to the current one.
    @Test func relativeDatabasePathsAreMadeAbsolute() {
        let env = ["HOME": "/home/ada"]
        func database(_ storage: String, override: String? = nil) -> String {
            AppPaths.resolve(configFile: "/home/ada/.config/lume/config.toml", storagePath: storage, databaseOverride: override,
                             environment: env, currentDirectory: "/work/project").databaseFile
        }
        #expect(database("history.sqlite3") == "/home/ada/.config/lume/history.sqlite3")
        #expect(database("../../data/./lume.sqlite3") == "/home/ada/data/lume.sqlite3")
        #expect(database("/srv/lume.sqlite3") == "/srv/lume.sqlite3")
        #expect(database("", override: "name.sqlite3") == "/work/project/name.sqlite3")
        #expect(database("history.sqlite3", override: "./tmp/../x.sqlite3") == "/work/project/x.sqlite3")
        // A config named by a relative path is relative to the current folder.
        #expect(AppPaths.resolve(configFile: "conf/lume.toml", storagePath: "db.sqlite3", databaseOverride: nil,
                                 environment: env, currentDirectory: "/work").databaseFile == "/work/conf/db.sqlite3")
    }

    @Test func plainTextSettingsStillAcceptUnicodeAndTabsInComments() throws {
        let parsed = try parse("[assistant]\nmodel = \"qwen2.5-coder:7b — 東京\"\t# a tab before the comment\n")
        #expect(parsed.config.assistant.model == "qwen2.5-coder:7b — 東京")
    }

    @Test func explicitMissingFileIsAnError() {
        #expect(throws: ConfigError.unreadable(file: "/nonexistent/lume.toml", reason: "no such file")) {
            try ConfigLoader.load(override: "/nonexistent/lume.toml", environment: ["HOME": "/tmp"])
        }
    }

    /// A NUL is found only where TOML reads one: not after an escaped backslash, not in a
    /// literal string or a comment; in a multi-line string it names the key's line.
    @Test func nulEscapesAreFoundWhereTOMLReadsThem() throws {
        let quote = "\"", triple = String(repeating: "\"", count: 3)
        #expect(try parse("[assistant]\nmodel = \(quote)a\\\\u0000b\(quote)\n").config.assistant.model == "a\\u0000b")
        #expect(try parse("[assistant]\nmodel = 'a\\u0000b'\n").config.assistant.model == "a\\u0000b")
        #expect(try parse("[assistant]\nmodel = \(quote)x\(quote) # \\u0000 in a comment\n").config.assistant.model == "x")
        let multiline = error("[oauth]\nbrowser = \(triple)\nfirefox\n--x\\U00000000\(triple)\n")
        guard case let .invalidValue(_, line, key, _)? = multiline else {
            Issue.record("expected invalidValue, got \(String(describing: multiline))")
            return
        }
        #expect(line == 4)
        #expect(key == "oauth.browser")
    }
}
