import Foundation
import LumeKit
import LumeTestSupport
import Testing

/// The history and admin commands, run as the real binary against a real database file.
@Suite struct HistoryCommandTests {
    let home = TestHome()

    /// Two conversations written through the store, as the app would.
    func seed() throws -> (trip: Int64, standup: Int64) {
        let database = try AppDatabase(path: home.databaseFile)
        let base = Date(timeIntervalSince1970: 1_750_000_000)
        let trip = try database.createConversation(now: base)
        try database.appendMessage(to: trip.id!, role: .user, content: "Book the Zürich trip and email Jürgen the itinerary",
                                   services: [.email, .calendar], now: base + 1)
        try database.appendMessage(to: trip.id!, role: .assistant, content: "Here is a **draft** for Jürgen.", now: base + 2)
        let standup = try database.createConversation(title: "Standup 東京", now: base + 10)
        try database.appendMessage(to: standup.id!, role: .user, content: "明日の会議の議題 🚀", now: base + 11)
        return (trip.id!, standup.id!)
    }

    func lume(_ arguments: String..., stdin: String? = nil) throws -> ProcessResult {
        try ProcessRunner.lume(arguments, home: home, stdin: stdin)
    }

    @Test func emptyHistory() throws {
        let text = try lume("history", "list")
        #expect(text.status == 0)
        #expect(text.stdout.contains("No conversations yet"))
        let json = try lume("history", "list", "--json")
        #expect(json.status == 0)
        #expect(json.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || json.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        #expect(json.stderr.isEmpty)
    }

    @Test func listShowsNewestFirst() throws {
        let (trip, standup) = try seed()
        let result = try lume("history", "list")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0].hasPrefix("ID"))
        #expect(lines[1].hasPrefix("\(standup) "))
        #expect(lines[1].contains("Standup 東京"))
        #expect(lines[2].hasPrefix("\(trip) "))
        #expect(lines[2].contains("Book the Zürich trip"))

        let json = try lume("history", "list", "--json")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        #expect(decoded.map { $0["id"] as! Int } == [Int(standup), Int(trip)])
        #expect(decoded[1]["message_count"] as? Int == 2)
        #expect(decoded[1]["archived"] as? Bool == false)
        #expect((decoded[1]["updated_at"] as? String)?.hasSuffix("Z") == true)
    }

    @Test func showAndExport() throws {
        let (trip, _) = try seed()
        let show = try lume("history", "show", "\(trip)")
        #expect(show.status == 0)
        #expect(show.stdout.contains("── You · "))
        #expect(show.stdout.contains("[email, calendar]"))
        #expect(show.stdout.contains("Here is a **draft** for Jürgen."))

        let markdown = try lume("history", "export", "\(trip)", "--format", "md")
        #expect(markdown.stdout.hasPrefix("# Book the Zürich trip and email Jürgen the itinerary\n"))
        #expect(markdown.stdout.contains("## Assistant · "))

        let json = try lume("history", "export", "\(trip)", "--format", "json")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        let messages = decoded["messages"] as! [[String: Any]]
        #expect(messages.count == 2)
        #expect(messages[0]["services"] as? [String] == ["email", "calendar"])
        #expect(messages[1]["role"] as? String == "assistant")

        let file = home.path + "/export.md"
        #expect(try lume("history", "export", "\(trip)", "-o", file).status == 0)
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("Zürich"))

        let missing = try lume("history", "show", "999")
        #expect(missing.status == 1)
        #expect(missing.stderr == "lume-tui: no conversation with id 999\n")
        #expect(try lume("history", "export", "1", "--format", "pdf").status == 2)
    }

    @Test func searchMarksTheMatch() throws {
        let (trip, standup) = try seed()
        let result = try lume("history", "search", "jurgen")
        #expect(result.status == 0)
        #expect(result.stdout.contains("\(trip)#"))
        #expect(result.stdout.contains("**Jürgen**"), "\(result.stdout)")

        let cjk = try lume("history", "search", "--json", "会議")
        let hits = try JSONSerialization.jsonObject(with: Data(cjk.stdout.utf8)) as! [[String: Any]]
        #expect(hits.count == 1)
        #expect(hits[0]["conversation_id"] as? Int == Int(standup))
        #expect(hits[0]["snippet"] as? String == "明日の**会議**の議題 🚀")

        let none = try lume("history", "search", "nonexistentword")
        #expect(none.status == 0)
        #expect(none.stdout.contains("No messages match"))
    }

    @Test func renameArchiveDelete() throws {
        let (trip, standup) = try seed()
        #expect(try lume("history", "rename", "\(trip)", "Zürich", "trip").stdout.contains("Renamed"))
        #expect(try lume("history", "list").stdout.contains("Zürich trip"))

        #expect(try lume("history", "archive", "\(standup)").status == 0)
        #expect(!(try lume("history", "list").stdout.contains("Standup")))
        #expect(try lume("history", "list", "--archived").stdout.contains("Standup"))
        #expect(try lume("history", "search", "会議").stdout.contains("[archived]"), "archived stays searchable")
        #expect(try lume("history", "archive", "--undo", "\(standup)").status == 0)
        #expect(try lume("history", "list").stdout.contains("Standup"))

        let deleted = try lume("history", "delete", "\(trip)")
        #expect(deleted.status == 0)
        #expect(try lume("history", "search", "jurgen").stdout.contains("No messages match"))
        #expect(try lume("history", "show", "\(trip)").status == 1)
        #expect(try lume("history", "delete", "\(trip)").status == 1)
    }

    @Test func adminViews() throws {
        _ = try seed()
        let database = try AppDatabase(path: home.databaseFile)
        let user = try database.upsertUser(sub: "108", email: "ada@example.com", name: "Ada", pictureURL: nil)
        let request = try database.recordPermissionRequest(userID: user.id!, service: .calendar)
        try database.resolvePermissionRequest(id: request.id!, status: .partial)
        _ = try database.insertState(OAuthState(
            state: "STATEVALUE123456", codeVerifier: "VERIFIER-SECRET", nonce: "n", stage: 1, services: [],
            redirectURI: "http://127.0.0.1:5000/oauth/callback", createdAt: Date(), expiresAt: Date() + 600))

        #expect(try lume("admin", "users").stdout.contains("ada@example.com"))
        let states = try lume("admin", "states")
        #expect(states.stdout.contains("STATEV…"))
        #expect(states.stdout.contains("pending"))
        #expect(!states.stdout.contains("STATEVALUE123456"), "the full state is not shown")
        #expect(!(try lume("admin", "states", "--json").stdout.contains("VERIFIER-SECRET")))
        #expect(try lume("admin", "permissions").stdout.contains("partial"))
        #expect(try lume("admin", "conversations").stdout.contains("Standup 東京"))
        let messages = try lume("admin", "messages", "--json")
        #expect((try JSONSerialization.jsonObject(with: Data(messages.stdout.utf8)) as! [Any]).count == 3)
        for view in ["users", "states", "permissions", "conversations", "messages"] {
            let json = try lume("admin", view, "--json")
            #expect(json.status == 0)
            #expect(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) is [Any], "\(view) --json is a JSON array")
        }
    }
}

@Suite struct ConfigCommandTests {
    let home = TestHome()

    @Test(arguments: [
        ("[oauth]\nport = 70000\n", ":2: oauth.port: 70000 is not a TCP port"),
        ("[oauth\nport = 1\n", ":1:7: invalid TOML"),
        ("[google]\ntoken_endpoint = \"file:///etc/passwd\"\n", ":2: google.token_endpoint: \"file:///etc/passwd\" is not an http(s) URL"),
        ("[assistant]\nprovider = \"claude\"\n", ":2: assistant.provider: unknown provider \"claude\""),
        ("[oauth]\ntimeout = \"ten\"\n", ":2: oauth.timeout: expected an integer, found a string"),
    ])
    func configErrorsExit78WithTheLocation(config: String, expected: String) throws {
        try home.writeConfig(config)
        let result = try ProcessRunner.lume(["history", "list"], home: home)
        #expect(result.status == 78)
        #expect(result.stderr.hasPrefix("lume-tui: configuration error: \(home.configFile)\(expected)"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: home.databaseFile), "nothing is created on a config error")
    }

    @Test func unknownKeysWarnButRun() throws {
        try home.writeConfig("[oauth]\nprot = 8080\n")
        let result = try ProcessRunner.lume(["history", "list"], home: home)
        #expect(result.status == 0)
        #expect(result.stderr == "warning: \(home.configFile):2: unknown key oauth.prot (ignored)\n")
    }

    @Test func configFromEnvironmentAndFlag() throws {
        let other = home.path + "/other.toml"
        try "[oauth]\nport = 99999\n".write(toFile: other, atomically: true, encoding: .utf8)
        #expect(try ProcessRunner.lume(["history", "list"], home: home, extraEnvironment: ["LUME_CONFIG": other]).status == 78)
        #expect(try ProcessRunner.lume(["history", "list", "--config", other], home: home).status == 78)
        let missing = try ProcessRunner.lume(["history", "list", "--config", home.path + "/nope.toml"], home: home)
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("nope.toml: cannot read the configuration: no such file"))
    }

    @Test func storagePathAndDatabaseFlag() throws {
        try home.writeConfig("[storage]\npath = \"~/custom/history.sqlite3\"\n")
        #expect(try ProcessRunner.lume(["history", "list"], home: home).status == 0)
        #expect(FileManager.default.fileExists(atPath: home.path + "/custom/history.sqlite3"))
        #expect(try ProcessRunner.lume(["history", "list", "--database", home.path + "/flag.sqlite3"], home: home).status == 0)
        #expect(FileManager.default.fileExists(atPath: home.path + "/flag.sqlite3"))
    }

    @Test func filesArePrivateEvenUnderAPermissiveUmask() throws {
        let result = try ProcessRunner.run(
            "/bin/sh", ["-c", "umask 000; exec \"$0\" history list", Products.lumeTUI], environment: home.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(PrivateFiles.mode(of: home.databaseFile) == 0o600)
        #expect(PrivateFiles.mode(of: home.path + "/data/lume") == 0o700)
        #expect(PrivateFiles.mode(of: home.path + "/data") == 0o700)
        #expect(PrivateFiles.mode(of: home.logFile) == 0o600)
        #expect(PrivateFiles.mode(of: home.path + "/state/lume") == 0o700)
    }
}
