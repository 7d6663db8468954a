import Foundation
import GRDB
import LumeTestSupport
import Testing
@testable import LumeKit

@Suite struct StoreTests {
    let directory = TemporaryDirectory("lume-store")
    var path: String { directory.file("data/lume/lume.sqlite3") }

    func open() throws -> AppDatabase { try AppDatabase(path: path) }

    func date(_ offset: TimeInterval) -> Date { Date(timeIntervalSince1970: 1_750_000_000 + offset) }

    @Test func migratesAnEmptyDatabase() throws {
        let database = try open()
        #expect(try database.appliedMigrations() == AppDatabase.migrator.migrations)
        let tables = try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name")
        }
        for table in ["conversations", "messages", "users", "oauth_states", "tokens", "permission_requests", "message_search", "drafts"] {
            #expect(tables.contains(table), "missing \(table)")
        }
        // Opening again is a no-op.
        #expect(try open().appliedMigrations() == AppDatabase.migrator.migrations)
    }

    /// Every shipped schema version has a fixture file made by the lume-tui of that time;
    /// opening it must migrate to the current schema and keep its history.
    @Test(arguments: ["v1-initial"])
    func migratesFromEarlierSchemaFixtures(version: String) throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/schema-\(version).sqlite3")
        try FileManager.default.createDirectory(atPath: directory.file("data/lume"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixture.path, toPath: path)
        let database = try open()
        #expect(try database.appliedMigrations() == AppDatabase.migrator.migrations)
        let conversations = try database.conversations(archived: nil, limit: 100)
        #expect(conversations.count == 3)
        let total = conversations.reduce(0) { $0 + $1.messageCount }
        #expect(total == 9)
        #expect(try database.search("fixture").count >= 1)
    }

    @Test func refusesADatabaseFromANewerVersion() throws {
        _ = try open()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-future')") }
        #expect(throws: StoreError.newerSchema(path: path, unknown: ["v99-future"])) { try open() }
    }

    @Test func conversationsAndMessages() throws {
        let database = try open()
        let first = try database.createConversation(now: date(0))
        let second = try database.createConversation(title: "Named", now: date(10))
        try database.appendMessage(to: first.id!, role: .user, content: "Plan the team offsite\nwith details", services: [.calendar, .email], now: date(20))
        try database.appendMessage(to: first.id!, role: .assistant, content: "Sure.", now: date(21))

        let reloaded = try #require(try database.conversation(id: first.id!))
        #expect(reloaded.title == "Plan the team offsite")
        #expect(reloaded.messageCount == 2)
        #expect(reloaded.updatedAt == date(21))
        #expect(try database.conversation(id: second.id!)?.title == "Named")

        // Newest activity first.
        #expect(try database.conversations().map(\.id) == [first.id, second.id])
        let messages = try database.messages(in: first.id!)
        #expect(messages.map(\.role) == [.user, .assistant])
        #expect(messages[0].detectedServices == [.email, .calendar])

        #expect(throws: StoreError.conversationNotFound(999)) {
            try database.appendMessage(to: 999, role: .user, content: "x")
        }
    }

    @Test func listPagesWithAKeysetCursor() throws {
        let database = try open()
        for index in 0..<25 {
            _ = try database.createConversation(title: "c\(index)", now: date(Double(index % 5)))  // ties on purpose
        }
        var seen: [Int64] = []
        var cursor: ConversationCursor?
        while true {
            let page = try database.conversations(limit: 7, after: cursor)
            seen += page.map { $0.id! }
            guard let last = page.last, page.count == 7 else { break }
            cursor = ConversationCursor(updatedAt: last.updatedAt, id: last.id!)
        }
        #expect(seen.count == 25)
        #expect(Set(seen).count == 25)
        let all = try database.conversations(limit: 100)
        #expect(all.map { $0.id! } == seen)
    }

    @Test func windowsOfALongConversation() throws {
        let database = try open()
        let conversation = try database.createConversation(now: date(0))
        let batch = (0..<30).map { (role: MessageRole.user, content: "m\($0)", createdAt: date(Double($0))) }
        _ = batch
        for index in 0..<30 {
            try database.appendMessage(to: conversation.id!, role: .user, content: "m\(index)", now: date(Double(index)))
        }
        let latest = try database.latestMessages(in: conversation.id!, limit: 10)
        #expect(latest.map(\.content) == (20..<30).map { "m\($0)" })
        let earlier = try database.messages(in: conversation.id!, limit: 10, beforeID: latest.first!.id!)
        #expect(earlier.map(\.content) == (10..<20).map { "m\($0)" })
        let later = try database.messages(in: conversation.id!, limit: 5, afterID: earlier.last!.id!)
        #expect(later.map(\.content) == (20..<25).map { "m\($0)" })
    }

    @Test func renameArchiveDelete() throws {
        let database = try open()
        let kept = try database.createConversation(title: "kept", now: date(0))
        let gone = try database.createConversation(title: "gone", now: date(1))
        try database.appendMessage(to: gone.id!, role: .user, content: "zebra crossing", now: date(2))
        try database.saveDraft("half typed", for: .conversation(gone.id!))

        try database.renameConversation(id: kept.id!, title: "renamed", now: date(3))
        #expect(try database.conversation(id: kept.id!)?.title == "renamed")

        try database.setArchived(id: kept.id!, true)
        #expect(try database.conversations().map(\.id) == [gone.id])
        #expect(try database.conversations(archived: true).map(\.id) == [kept.id])
        #expect(try database.conversations(archived: nil).count == 2)

        #expect(try database.search("zebra").count == 1)
        try database.deleteConversation(id: gone.id!)
        #expect(try database.conversation(id: gone.id!) == nil)
        #expect(try database.search("zebra").isEmpty)
        #expect(try database.draft(for: .conversation(gone.id!)) == "")
        let orphans = try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM messages") }
        #expect(orphans == 0)
        try database.writer.write { db in
            try db.execute(sql: "INSERT INTO message_search(message_search) VALUES ('integrity-check')")
        }
        #expect(throws: StoreError.conversationNotFound(gone.id!)) { try database.deleteConversation(id: gone.id!) }
        #expect(throws: StoreError.conversationNotFound(12345)) { try database.renameConversation(id: 12345, title: "x") }
    }

    @Test func searchFindsGermanJapaneseAndEmojiText() throws {
        let database = try open()
        let conversation = try database.createConversation(title: "intl", now: date(0))
        let texts = [
            "Schöne Grüße aus München, Herr Müller!",
            "東京で会議があります。明日の予定を確認してください。",
            "Deploy finished 🚀🎉 all green 👩‍💻",
            "서울에서 회의가 있습니다",
            "Unrelated text about gardening",
        ]
        for (index, text) in texts.enumerated() {
            try database.appendMessage(to: conversation.id!, role: .user, content: text, now: date(Double(index)))
        }
        func contents(_ query: String) throws -> [String] {
            try database.search(query).compactMap { hit in try database.message(id: hit.messageID)?.content }
        }
        #expect(try contents("münchen") == [texts[0]])
        #expect(try contents("MUNCHEN") == [texts[0]], "diacritics and case are folded")
        #expect(try contents("Muller") == [texts[0]])
        #expect(try contents("会議") == [texts[1]])
        #expect(try contents("東京") == [texts[1]])
        #expect(try contents("予定") == [texts[1]])
        #expect(try contents("大阪").isEmpty)
        #expect(try contents("deploy") == [texts[2]])
        #expect(try contents("green") == [texts[2]])
        #expect(try contents("회의") == [texts[3]])
        // Stemming: other forms of a word match.
        #expect(try contents("deploying") == [texts[2]])
        // Every word is required.
        #expect(try contents("deploy gardening").isEmpty)
        // Input that would be FTS5 syntax is searched literally, never an error.
        #expect(try contents("\"unbalanced AND (").isEmpty)
        #expect(try contents("*").isEmpty)
    }

    @Test func searchRanksAndMarksTheSnippet() throws {
        let database = try open()
        let conversation = try database.createConversation(title: "k8s", now: date(0))
        try database.appendMessage(to: conversation.id!, role: .user, content: "one mention of kubernetes among many other words here and there", now: date(1))
        try database.appendMessage(to: conversation.id!, role: .assistant, content: "kubernetes kubernetes kubernetes", now: date(2))
        try database.appendMessage(to: conversation.id!, role: .user, content: "nothing relevant", now: date(3))
        let hits = try database.search("Kubernetes")
        #expect(hits.count == 2)
        #expect(hits[0].role == .assistant, "the denser match ranks first")
        #expect(hits[1].snippet.contains("\(SearchHit.markStart)kubernetes\(SearchHit.markEnd)"))
        #expect(hits[0].conversationTitle == "k8s")
    }

    @Test func streamingRepliesAndAbandonedStreams() throws {
        let database = try open()
        let conversation = try database.createConversation(now: date(0))
        let reply = try database.appendMessage(to: conversation.id!, role: .assistant, content: "", status: .streaming, now: date(1))
        try database.updateMessage(id: reply.id!, content: "partial answer about octopus", status: .streaming)
        #expect(try database.search("octopus").count == 1, "a streaming reply is searchable as it grows")

        // A new process finds it still streaming: the writer died. It is kept, marked interrupted.
        let reopened = try open()
        #expect(try reopened.markAbandonedStreamsInterrupted() == 1)
        let message = try #require(try reopened.message(id: reply.id!))
        #expect(message.status == .interrupted)
        #expect(message.content == "partial answer about octopus")
        #expect(try reopened.markAbandonedStreamsInterrupted() == 0)
    }

    @Test func draftsAndPromptHistory() throws {
        let database = try open()
        #expect(try database.draft(for: .newConversation) == "")
        try database.saveDraft("unsent thought", for: .newConversation)
        #expect(try open().draft(for: .newConversation) == "unsent thought")
        try database.saveDraft("", for: .newConversation)
        #expect(try database.draft(for: .newConversation) == "")

        let conversation = try database.createConversation(now: date(0))
        for (index, text) in ["first", "second", "first", "third"].enumerated() {
            try database.appendMessage(to: conversation.id!, role: .user, content: text, now: date(Double(index)))
        }
        try database.appendMessage(to: conversation.id!, role: .assistant, content: "not a prompt", now: date(9))
        #expect(try database.recentPrompts() == ["third", "first", "second"])
    }

    @Test func tokensAreSealedAtRest() throws {
        let database = try open()
        let vault = try TokenVault.open(keyFile: directory.file("config/lume/token.key"))
        let user = try database.upsertUser(sub: "1234567890", email: "ada@example.com", name: "Ada", pictureURL: nil, now: date(0))
        let access = "ya29.ACCESS-TOKEN-VALUE-\(UUID().uuidString)"
        let refresh = "1//REFRESH-TOKEN-VALUE-\(UUID().uuidString)"
        try database.storeTokens(Tokens(accessToken: access, refreshToken: refresh, expiresAt: date(3600), scopes: "openid email"), for: user.id!, vault: vault)

        // A refresh that returns no new refresh token keeps the old one.
        let access2 = "ya29.SECOND-\(UUID().uuidString)"
        try database.storeTokens(Tokens(accessToken: access2, refreshToken: nil, expiresAt: date(7200), scopes: "openid email"), for: user.id!, vault: vault)
        let loaded = try #require(try database.tokens(for: user.id!, vault: vault))
        #expect(loaded.accessToken == access2)
        #expect(loaded.refreshToken == refresh)
        #expect(!"\(loaded)".contains(access2), "describing tokens never shows them")

        // No token value in any file of the database.
        for file in [path, path + "-wal", path + "-shm"] {
            guard let bytes = FileManager.default.contents(atPath: file) else { continue }
            for secret in [access, access2, refresh, "ACCESS-TOKEN-VALUE", "REFRESH-TOKEN-VALUE"] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) found in \(file)")
            }
        }

        // Another key cannot open them.
        let otherVault = TokenVault(key: Array(repeating: 7, count: 32))
        #expect(throws: TokenVault.Failure.corrupt) { try database.tokens(for: user.id!, vault: otherVault) }

        #expect(try database.signedInUser()?.sub == "1234567890")
        try database.deleteTokens(for: user.id!)
        #expect(try database.tokens(for: user.id!, vault: vault) == nil)
        #expect(try database.signedInUser() == nil)
        #expect(try database.users().count == 1, "the user row and history stay")
    }

    @Test func tokenKeyFileIsMadeOnceWithMode0600() throws {
        let keyPath = directory.file("config/lume/token.key")
        let vault = try TokenVault.open(keyFile: keyPath)
        #expect(PrivateFiles.mode(of: keyPath) == 0o600)
        #expect(PrivateFiles.mode(of: directory.file("config/lume")) == 0o700)
        let sealed = try vault.seal("secret", context: "c")
        #expect(try TokenVault.open(keyFile: keyPath).open(sealed, context: "c") == "secret")
        #expect(throws: TokenVault.Failure.corrupt) { try vault.open(sealed, context: "other") }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        #expect(throws: TokenVault.Failure.corrupt) { try vault.open(tampered, context: "c") }
    }

    @Test func databaseFileAndFolderArePrivate() throws {
        _ = try open()
        #expect(PrivateFiles.mode(of: path) == 0o600)
        #expect(PrivateFiles.mode(of: directory.file("data/lume")) == 0o700)
        #expect(PrivateFiles.mode(of: directory.file("data")) == 0o700)
    }

    @Test func statesAreUsedOnce() throws {
        let database = try open()
        let now = date(0)
        _ = try database.insertState(OAuthState(
            state: "s1", codeVerifier: "v1", nonce: "n1", stage: 2, services: [.tasks, .email],
            redirectURI: "http://127.0.0.1:1/oauth/service-callback", createdAt: now, expiresAt: now + 600))
        _ = try database.insertState(OAuthState(
            state: "old", codeVerifier: "v2", nonce: "n2", stage: 1, services: [],
            redirectURI: "http://127.0.0.1:1/oauth/callback", createdAt: now, expiresAt: now + 600))
        let consumed = try #require(try database.consumeState("s1", now: now + 5))
        #expect(consumed.codeVerifier == "v1")
        #expect(consumed.requestedServices == [.email, .tasks])
        #expect(try database.consumeState("s1", now: now + 6) == nil, "a state is used once")
        #expect(try database.consumeState("old", now: now + 601) == nil, "an expired state is refused")
        #expect(try database.consumeState("unknown", now: now) == nil)
        #expect(try database.oauthStates().first { $0.state == "s1" }?.codeVerifier == "", "the verifier is erased once used")
    }

    @Test func permissionRequests() throws {
        let database = try open()
        let user = try database.upsertUser(sub: "s", email: "e@x", name: "n", pictureURL: nil, now: date(0))
        let first = try database.recordPermissionRequest(userID: user.id!, service: .email, now: date(1))
        try database.resolvePermissionRequest(id: first.id!, status: .denied, now: date(2))
        let second = try database.recordPermissionRequest(userID: user.id!, service: .email, now: date(3))
        try database.resolvePermissionRequest(id: second.id!, status: .granted, now: date(4))
        let keep = try database.recordPermissionRequest(userID: user.id!, service: .keep, now: date(5))
        try database.resolvePermissionRequest(id: keep.id!, status: .unavailable, now: date(6))
        #expect(try database.latestPermissionStatus(userID: user.id!) == [.email: .granted, .keep: .unavailable])
        #expect(try database.permissionRequests().count == 3)
    }

    /// Two processes appending 500 messages each, one transaction per message, at the same
    /// time: both succeed and nothing is lost.
    @Test func twoProcessesWriteConcurrently() throws {
        let database = try open()
        let conversation = try database.createConversation(now: date(0))
        let group = DispatchGroup()
        let results = ResultBox()
        for tag in ["alpha", "beta"] {
            group.enter()
            DispatchQueue.global().async {
                defer { group.leave() }
                do {
                    let result = try ProcessRunner.run(
                        Products.historyGenerator,
                        ["--database", path, "--append", "500", "--conversation", "\(conversation.id!)", "--tag", tag],
                        environment: [:], timeout: 120)
                    results.add(tag, result)
                } catch {
                    results.add(tag, ProcessResult(status: -1, stdout: "", stderr: "\(error)"))
                }
            }
        }
        group.wait()
        for (tag, result) in results.all {
            #expect(result.status == 0, "\(tag): \(result.stderr)")
        }
        let messages = try database.messages(in: conversation.id!, limit: 5000)
        #expect(messages.count == 1000)
        #expect(Set(messages.map(\.content)).count == 1000)
        #expect(try database.conversation(id: conversation.id!)?.messageCount == 1000)
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [(String, ProcessResult)] = []
    func add(_ tag: String, _ result: ProcessResult) { lock.lock(); results.append((tag, result)); lock.unlock() }
    var all: [(String, ProcessResult)] { lock.lock(); defer { lock.unlock() }; return results }
}
