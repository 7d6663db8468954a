import Foundation
import LumeKit
import LumeTestSupport
import Testing

/// `lume-tui send`: one turn without the UI.
@Suite struct SendCommandTests {
    let home = TestHome()

    func lume(_ arguments: String...) throws -> ProcessResult { try ProcessRunner.lume(arguments, home: home) }

    @Test func missingPermissionsAnswerAsTheOriginalBackendDid() throws {
        let result = try lume("send", "--json", "Send an email and create a task")
        #expect(result.status == 3)
        #expect(JSONValue.parse(result.stdout) == .object(["requires_permissions": .bool(true), "services": .array([.string("email"), .string("tasks")])]))
        let text = try lume("send", "email Bob the slides")
        #expect(text.status == 3)
        #expect(text.stderr.contains("sign in with `lume-tui login`, then `lume-tui grant email`"))
        // The messages are stored like any other.
        let database = try AppDatabase(path: home.databaseFile)
        #expect(try database.conversations().count == 2)
    }

    @Test func aTurnWithTheBuiltinAssistantIsStoredAndPrinted() throws {
        let result = try lume("send", "what is the capital of France?")
        #expect(result.status == 0)
        #expect(result.stdout.contains("cannot answer open questions"))
        let json = try lume("send", "--json", "--conversation", "1", "and of Spain?")
        #expect(json.status == 0)
        let reply = JSONValue.parse(json.stdout)
        #expect(reply["conversation_id"]?.numberValue == 1)
        #expect(reply["status"]?.stringValue == "complete")
        #expect(reply["metadata"]?["provider"]?.stringValue == "builtin")
        let database = try AppDatabase(path: home.databaseFile)
        #expect(try database.messages(in: 1).map(\.role) == [.user, .assistant, .user, .assistant])
        #expect(try lume("send", "--conversation", "99", "hi").status == 1)
        #expect(try lume("send").status == 2)
    }

    @Test func anLLMReplyStreamsToStdout() throws {
        let llm = try FakeOpenAI()
        llm.behaviour = .stream(["The answer", " is ", "42."])
        try home.writeConfig(llm.configSection())
        let result = try ProcessRunner.lume(["send", "question"], home: home, extraEnvironment: ["FAKE_OPENAI_KEY": "sk-from-env-0123456789"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "The answer is 42.\n")
        #expect(llm.requests.last?.header("Authorization") == "Bearer sk-from-env-0123456789")
        // The key is never written anywhere.
        for file in [home.databaseFile, home.logFile, home.configFile] {
            let data = FileManager.default.contents(atPath: file) ?? Data()
            #expect(data.range(of: Data("sk-from-env-0123456789".utf8)) == nil, "\(file)")
        }
        llm.behaviour = .error(status: 401, message: "Incorrect API key")
        let failed = try lume("send", "again")
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("refused the API key"))
    }


    /// Google asks to wait: `send` says how long and until when on stderr, waits, and
    /// answers; a wait beyond what lume-tui will sit through ends with when to try again.
    @Test func aWaitGoogleAsksForIsSaidAndKept() throws {
        let account = try home.signedIn([.tasks])
        account.api.fail("/users/@me/lists", status: 429, times: 1, retryAfter: "3")
        let started = Date()
        let waited = try lume("send", "show my tasks")
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(Date().timeIntervalSince(started) >= 3)
        #expect(waited.stderr.contains("lume-tui: Google asked to wait 3 seconds; trying again at "))
        #expect(waited.stderr.contains(" — Ctrl-C cancels"))

        account.api.fail("/users/@me/lists", status: 429, times: 5, retryAfter: "600")
        let refused = try lume("send", "show my tasks")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("lume-tui: Google asked to wait 10 minutes; try again after "), "\(refused.stderr)")
    }

    @Test func aDraftIsPrintedAndDoneOnlyWithYes() throws {
        let account = try home.signedIn([.email])
        let draft = try lume("send", "email bob@example.com about lunch saying see you at noon")
        #expect(draft.status == 4, "not confirmed: nothing done")
        #expect(draft.stdout.contains("> To: bob@example.com\n> Subject: Lunch\n>\n> See you at noon."))
        #expect(draft.stderr.contains("run again with --yes"))
        #expect(account.api.sent.isEmpty)

        let sent = try lume("send", "--yes", "email bob@example.com about lunch saying see you at noon")
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stdout.hasSuffix("Sent “Lunch” to bob@example.com.\n"))
        #expect(account.api.sent.count == 1)
        #expect(account.api.sent.first?.body == "See you at noon.")
        // The tokens used for those calls appear in no file lume-tui wrote.
        for file in [home.databaseFile, home.databaseFile + "-wal", home.logFile] {
            let data = FileManager.default.contents(atPath: file) ?? Data()
            for secret in account.google.secrets { #expect(data.range(of: Data(secret.utf8)) == nil, "\(file)") }
        }

        let json = try lume("send", "--json", "--yes", "add a task to water the plants tomorrow")
        #expect(json.status == 3, "tasks was never granted")
        #expect(JSONValue.parse(json.stdout) == .object(["requires_permissions": .bool(true), "services": .array([.string("tasks")])]))
    }

    @Test func jsonCarriesTheOutcomeAndTheGoogleCalls() throws {
        let account = try home.signedIn([.tasks, .calendar])
        let result = try lume("send", "--json", "--yes", "remind me to water the plants tomorrow")
        #expect(result.status == 0, "\(result.stderr)")
        let reply = JSONValue.parse(result.stdout)
        #expect(reply["action"]?["result"]?.stringValue == "done")
        #expect(reply["action"]?["message"]?.stringValue?.hasPrefix("Added **Water the plants** to My Tasks, due ") == true)
        #expect(reply["metadata"]?["pending_action"] != nil)
        #expect(reply["metadata"]?["google_calls"] == .array([.string("GET /users/@me/lists 200")]))
        #expect(account.api.tasks().map { $0["title"]?.stringValue } == ["Water the plants"])

        let declined = try lume("send", "--json", "lunch with Bob tomorrow at 1pm")
        #expect(declined.status == 4)
        #expect(JSONValue.parse(declined.stdout)["action"]?["result"]?.stringValue == "declined")
        #expect(account.api.events.isEmpty)
        let database = try AppDatabase(path: home.databaseFile)
        let stored = try database.recentMessages(limit: 1)
        #expect(stored.first?.content == "Cancelled: nothing was created.")
    }

    @Test func aScopeGoogleRefusesAnswersLikeAMissingPermission() throws {
        let account = try home.signedIn([.calendar])
        // The stored flags say email is granted; the token Google issued does not carry it.
        var user = account.user
        user.setGranted(.email, true)
        try account.database.saveUser(user)
        let result = try lume("send", "--json", "check my email")
        #expect(result.status == 3)
        #expect(JSONValue.parse(result.stdout) == .object(["requires_permissions": .bool(true), "services": .array([.string("email")])]))
        #expect(try account.database.signedInUser()?.emailGranted == false)
    }
}
