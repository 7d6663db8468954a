import Foundation
import LumeKit
import LumeTestSupport
import Testing

/// `login`, `grant`, `whoami`, `logout` as the real binary, against our fake Google on
/// 127.0.0.1, with a stand-in browser that follows the redirect to the listener.
@Suite struct SignInTests {
    let home = TestHome()
    let google: FakeGoogle
    let browserLog: String

    init() throws {
        google = try FakeGoogle()
        browserLog = home.path + "/browser.log"
        try writeConfig()
    }

    func writeConfig(timeout: Int = 30, browser: String? = nil) throws {
        try home.writeConfig(google.configSection + """
            [oauth]
            timeout = \(timeout)
            browser = "\(browser ?? Products.testBrowser)"
            """)
    }

    func lume(_ arguments: [String], browser: [String: String] = [:], stdin: String? = nil, timeout: TimeInterval = 60) throws -> ProcessResult {
        try ProcessRunner.lume(arguments, home: home, extraEnvironment: ["LUME_TEST_BROWSER_LOG": browserLog].merging(browser) { $1 }, stdin: stdin, timeout: timeout)
    }

    func database() throws -> AppDatabase { try AppDatabase(path: home.databaseFile) }

    /// No token, code or secret the fake handed out appears in the database files, the log
    /// or what a command printed.
    func expectNoSecretsLeaked(_ outputs: [ProcessResult]) throws {
        var haystacks: [(String, Data)] = outputs.map { ("output", Data(($0.stdout + $0.stderr).utf8)) }
        for file in [home.databaseFile, home.databaseFile + "-wal", home.logFile] {
            if let data = FileManager.default.contents(atPath: file) { haystacks.append((file, data)) }
        }
        #expect(!google.secrets.isEmpty)
        for secret in google.secrets {
            for (name, data) in haystacks {
                #expect(data.range(of: Data(secret.utf8)) == nil, "\(secret.prefix(12))… leaked into \(name)")
            }
        }
    }

    /// What a process has printed once a line has ended (the sign-in URL), waiting at most
    /// 20 s and stopping early if the output closes.
    func readFirstLine(of pipe: Pipe) -> String {
        var collected = Data()
        let deadline = Date().addingTimeInterval(20)
        while !collected.contains(UInt8(ascii: "\n")) && Date() < deadline {
            let more = pipe.fileHandleForReading.availableData
            if more.isEmpty { break }
            collected += more
        }
        return String(decoding: collected, as: UTF8.self)
    }

    @Test func stage1SignsInAndStoresSealedTokens() throws {
        let result = try lume(["login"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Signed in as Ada Lovelace <ada@example.com>."))
        #expect(result.stderr.contains("Opened your browser"))
        #expect(google.exchanges == 1)

        let auth = try #require(google.authorizationRequests.first)
        let query = auth.query
        #expect(GoogleScopes.parse(query["scope"] ?? "") == Set(GoogleScopes.identity))
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["code_challenge"]?.count == 43)
        #expect((query["state"]?.count ?? 0) >= 22, "at least 128 bits")
        #expect(query["nonce"] != nil)
        #expect(query["access_type"] == "offline")
        #expect(query["prompt"] == "consent", "no refresh token is stored yet")
        #expect(query["redirect_uri"]?.range(of: #"^http://127\.0\.0\.1:\d+/oauth/callback$"#, options: .regularExpression) != nil)
        let exchange = try #require(google.requests.first { $0.path == "/token" }?.form)
        #expect(exchange["redirect_uri"] == query["redirect_uri"], "byte-identical redirect URI")
        #expect(exchange["code_verifier"]?.count == 43)

        let database = try database()
        let user = try #require(try database.signedInUser())
        #expect(user.sub == "110248495921238986420")
        #expect(user.email == "ada@example.com")
        let vault = try TokenVault.open(keyFile: home.tokenKeyFile)
        let tokens = try #require(try database.tokens(for: user.id!, vault: vault))
        #expect(tokens.refreshToken != nil)
        #expect(PrivateFiles.mode(of: home.tokenKeyFile) == 0o600)
        let state = try #require(try database.oauthStates().first)
        #expect(state.consumedAt != nil && state.codeVerifier.isEmpty, "the attempt is used once")

        let whoami = try lume(["whoami", "--json"])
        #expect(whoami.status == 0)
        let json = JSONValue.parse(whoami.stdout)
        #expect(json["email"]?.stringValue == "ada@example.com")
        #expect(json["services"]?["email"]?.stringValue == "not requested")
        try expectNoSecretsLeaked([result, whoami])
    }

    @Test func stage2GrantsServicesOnTopOfEarlierScopes() throws {
        #expect(try lume(["login"]).status == 0)
        let result = try lume(["grant", "email", "calendar"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("email: granted."))
        #expect(result.stdout.contains("calendar: granted."))

        let auth = try #require(google.authorizationRequests.last)
        let scopes = GoogleScopes.parse(auth.query["scope"] ?? "")
        #expect(scopes.isSuperset(of: GoogleScopes.identity), "the scopes already held are asked for again")
        #expect(scopes.isSuperset(of: GoogleScopes.scopes(for: .email) + GoogleScopes.scopes(for: .calendar)))
        #expect(auth.query["include_granted_scopes"] == "true")
        #expect(auth.query["login_hint"] == "ada@example.com")
        #expect(auth.query["prompt"] == nil, "a refresh token is stored: no forced consent")
        #expect(auth.query["redirect_uri"]?.hasSuffix("/oauth/service-callback") == true)

        let database = try database()
        let user = try #require(try database.signedInUser())
        #expect(user.emailGranted && user.calendarGranted && !user.tasksGranted)
        // The second response had no refresh token: the first one is kept.
        #expect(try database.tokens(for: user.id!, vault: TokenVault.open(keyFile: home.tokenKeyFile))?.refreshToken != nil)
        let requests = try database.permissionRequests()
        #expect(Set(requests.map(\.service)) == [.email, .calendar])
        #expect(requests.allSatisfy { $0.status == .granted && $0.resolvedAt != nil })

        let whoami = try lume(["whoami"])
        #expect(whoami.stdout.contains("email     granted"))
        #expect(whoami.stdout.contains("tasks     not requested"))
        try expectNoSecretsLeaked([result, whoami])
    }

    @Test func grantNeedsStage1First() throws {
        let result = try lume(["grant", "email"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("not signed in: run `lume-tui login` first"))
        #expect(google.authorizationRequests.isEmpty)
    }

    @Test func declinedConsentExchangesNothing() throws {
        google.consent = .deny
        let result = try lume(["login"])
        #expect(result.status == 4)
        #expect(result.stderr.contains("declined"))
        #expect(google.exchanges == 0, "no token request after a denial")
        #expect(try database().signedInUser() == nil)
    }

    @Test func partialGrantIsReportedNotFailed() throws {
        #expect(try lume(["login"]).status == 0)
        let prefix = "https://www.googleapis.com/auth/"
        google.consent = .grantOnly([prefix + "gmail.readonly", prefix + "gmail.modify", prefix + "tasks"])
        let result = try lume(["grant", "email", "tasks"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("email: partly granted"))
        #expect(result.stdout.contains("gmail.send"))
        #expect(result.stdout.contains("tasks: granted."))
        #expect(google.authorizationRequests.count == 2, "no automatic re-prompt")
        let user = try #require(try database().signedInUser())
        #expect(!user.emailGranted && user.tasksGranted)
        #expect(try lume(["whoami"]).stdout.contains("email     partial"))
    }

    @Test func keepIsAskedAloneAndMayBeUnavailable() throws {
        #expect(try lume(["login"]).status == 0)
        google.keepUnavailable = true
        let result = try lume(["grant", "calendar", "keep"])
        #expect(result.stdout.contains("calendar: granted."))
        #expect(result.stdout.contains("keep: not available for this account"))
        #expect(result.status == 1)
        let stage2 = google.authorizationRequests.dropFirst().map { GoogleScopes.parse($0.query["scope"] ?? "") }
        #expect(stage2.count == 2)
        #expect(!stage2[0].contains(GoogleScopes.scopes(for: .keep)[0]))
        // Keep gets its own attempt (with the scopes already held, as every Stage 2 does).
        #expect(stage2[1].contains(GoogleScopes.scopes(for: .keep)[0]))
        #expect(try lume(["whoami"]).stdout.contains("keep      unavailable"))
        #expect(try database().signedInUser()?.calendarGranted == true)
    }

    @Test func forgedCallbacksAreIgnoredAndTheRealOneWins() throws {
        let result = try lume(["login"], browser: ["LUME_TEST_BROWSER_PREFLIGHT": "wrong-state,missing-state,favicon,post,wrong-host"])
        #expect(result.status == 0, "\(result.stderr)")
        let log = try String(contentsOfFile: browserLog, encoding: .utf8)
        for status in ["400", "400", "404", "405", "421"] { #expect(log.contains("-> \(status)")) }
        #expect(google.exchanges == 1)
    }

    @Test func aReloadedCallbackIsNeverExchangedTwice() throws {
        let result = try lume(["login"], browser: ["LUME_TEST_BROWSER_REPEAT": "3"])
        #expect(result.status == 0)
        #expect(google.exchanges == 1)
        let log = try String(contentsOfFile: browserLog, encoding: .utf8)
        #expect(log.contains("-> no answer"), "the listener is closed after the first callback")
    }

    @Test func timeoutFreesThePort() throws {
        try writeConfig(timeout: 2)
        let result = try lume(["login"], browser: ["LUME_TEST_BROWSER_SKIP": "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no answer from the browser within 2 s"))
        let url = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let redirect = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "redirect_uri" }?.value)
        let port = try #require(URLComponents(string: redirect)?.port)
        #expect(RawSocket.connect(port: port) == nil, "nothing listens any more")
        let state = try #require(try database().oauthStates().first)
        #expect(state.consumedAt == nil)
    }

    @Test func aLateCallbackAfterTheStateExpiredIsRefused() throws {
        try writeConfig(timeout: 1)
        let result = try lume(["login"], browser: ["LUME_TEST_BROWSER_DELAY": "2"])
        #expect(result.status == 1)
        #expect(google.exchanges == 0)
    }

    @Test func pastedURLFlowForRemoteMachines() throws {
        // The test plays the user: it opens the printed URL itself and pastes where the
        // browser ended up, first a wrong address, then the right one.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Products.lumeTUI)
        process.arguments = ["login", "--no-browser"]
        process.environment = home.environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = readFirstLine(of: output)
        let url = printed.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(url.hasPrefix(google.baseURL + "/o/oauth2/v2/auth?"))
        let consent = try #require(RawSocket.exchange(port: google.port, "GET \(url.dropFirst(google.baseURL.count)) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"))
        let location = try #require(consent.split(separator: "\r\n").first { $0.hasPrefix("Location: ") }?.dropFirst("Location: ".count))
        input.fileHandleForWriting.write(Data("http://127.0.0.1:1/oauth/callback?state=nope&code=x\n".utf8))
        input.fileHandleForWriting.write(Data((location + "\n").utf8))
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stdout = printed + String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(stderr)")
        #expect(stderr.contains("ssh -L"))
        #expect(stderr.contains("Not accepted"))
        #expect(stdout.contains("Signed in as Ada Lovelace"))
        #expect(google.exchanges == 1)
    }

    @Test func logoutRevokesAndKeepsHistory() throws {
        #expect(try lume(["login"]).status == 0)
        let database = try database()
        let conversation = try database.createConversation(title: "kept")
        try database.appendMessage(to: conversation.id!, role: .user, content: "hello")
        let result = try lume(["logout"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("no longer holds any Google permission"))
        #expect(google.revocations.count == 1)
        #expect(google.revocations[0].hasPrefix("1//"), "the refresh token is revoked: the whole grant goes")
        #expect(try database.signedInUser() == nil)
        #expect(try database.conversations().count == 1)
        #expect(try lume(["whoami"]).status == 3)
    }

    @Test func logoutDeletesTokensEvenWhenRevocationFails() throws {
        #expect(try lume(["login"]).status == 0)
        let closed = ClosedPort()
        try home.writeConfig(google.configSection.replacingOccurrences(of: google.baseURL + "/revoke", with: closed.baseURL + "/revoke")
                             + "[oauth]\nbrowser = \"\(Products.testBrowser)\"\n")
        let result = try lume(["logout"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("could not revoke"))
        #expect(try database().signedInUser() == nil)
    }

    @Test func withoutAClientIDTheMessageSaysWhatToConfigure() throws {
        try home.writeConfig("[oauth]\ntimeout = 5\n")
        let result = try lume(["login"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("client_id"))
        #expect(result.stderr.contains("Desktop app"))
        #expect(result.stderr.contains(home.configFile))
    }

    @Test func aBrowserThatFailsIsAWarningAndTheURLIsPrinted() throws {
        try writeConfig(timeout: 2, browser: "/bin/false")
        let result = try lume(["login"], stdin: "")
        #expect(result.stderr.contains("Could not open a browser"))
        #expect(result.stdout.hasPrefix(google.baseURL + "/o/oauth2/v2/auth?"))
        #expect(result.status == 1, "then it times out")
    }

    @Test func headlessSessionsDoNotPretend() throws {
        try home.writeConfig(google.configSection + "[oauth]\ntimeout = 2\n")
        let result = try lume(["login"], browser: ["SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22", "DISPLAY": "", "BROWSER": ""], stdin: "")
        #expect(result.stderr.contains("No browser on this machine"))
        #expect(result.stderr.contains("ssh -L"))
        #expect(google.authorizationRequests.isEmpty)
    }

    @Test func stage2MustComeBackAsTheSameAccount() throws {
        #expect(try lume(["login"]).status == 0)
        var other = FakeGoogle.Account()
        other.sub = "999"
        other.email = "mallory@example.com"
        google.account = other
        let result = try lume(["grant", "tasks"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("signed in as mallory@example.com, but lume-tui is signed in as ada@example.com"))
        #expect(try database().signedInUser()?.tasksGranted == false)
    }

    @Test func ctrlCCancelsAndFreesThePort() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Products.lumeTUI)
        process.arguments = ["login"]
        process.environment = home.environment.merging(["LUME_TEST_BROWSER_SKIP": "1"]) { $1 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let printed = readFirstLine(of: output)
        let url = printed.trimmingCharacters(in: .whitespacesAndNewlines)
        let redirect = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "redirect_uri" }?.value)
        let port = try #require(URLComponents(string: redirect)?.port)
        #expect(RawSocket.connect(port: port).map { close($0) } != nil, "listening while waiting")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("sign-in cancelled"))
        #expect(RawSocket.connect(port: port) == nil)
    }
}
