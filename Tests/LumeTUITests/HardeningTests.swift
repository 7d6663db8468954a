import Foundation
import LumeKit
import LumeTestSupport
import Testing

/// The real binary where the world is not as it should be: folders that belong to others,
/// a read-only file system, another process streaming a reply, hostile text on a terminal.
@Suite struct HardeningTests {
    let home = TestHome()

    func lume(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.lume(arguments, home: home, extraEnvironment: extraEnvironment)
    }

    func mode(_ path: String) -> Int {
        var info = stat()
        _ = stat(path, &info)
        return Int(info.st_mode) & 0o7777
    }

    @Test func aDatabaseInAFolderOfOthersLeavesTheFolderAsItWas() throws {
        let shared = home.path + "/tmp"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: false)
        chmod(shared, 0o1777)
        let listed = try lume(["history", "list", "--database", shared + "/x.sqlite3"])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(mode(shared) == 0o1777, "the sticky bit and everyone's access stay")
        #expect(mode(shared + "/x.sqlite3") == 0o600)

        // [storage] path naming a folder: refused, and the folder (and its parent) untouched.
        try home.writeConfig("[storage]\npath = \"\(shared)\"\n")
        chmod(home.path, 0o755)
        let refused = try lume(["history", "list"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("cannot open the database \(shared)"))
        #expect(mode(shared) == 0o1777)
        #expect(mode(home.path) == 0o755)
    }

    @Test func whoamiSaysWhenTheDatabaseFolderIsOpenToOthers() throws {
        let folder = home.path + "/open"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        chmod(folder, 0o755)
        let result = try lume(["whoami", "--database", folder + "/lume.sqlite3"])
        #expect(result.status == 3)  // signed out
        #expect(result.stderr.contains("warning: other users can list the folder \(folder) (mode 755); `chmod 700 \(folder)`"))
        #expect(mode(folder) == 0o755)
        let log = try String(contentsOfFile: home.logFile, encoding: .utf8)
        #expect(log.contains("other users can list the folder \(folder)"))
    }

    @Test func aBareFileNameIsAFileInTheCurrentFolder() throws {
        let folder = home.path + "/project"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        let script = "cd '\(folder)' && exec '\(Products.lumeTUI)' history list --database name.sqlite3"
        let result = try ProcessRunner.run("/bin/sh", ["-c", script], environment: home.environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/name.sqlite3"))
    }

    /// A read-only file system, made with a private mount namespace (`unshare`), so reading
    /// commands run against a database nobody may write.
    @Test func readingCommandsWorkOnAReadOnlyFileSystem() throws {
        let data = home.path + "/data/lume"
        do {
            let database = try AppDatabase(path: data + "/lume.sqlite3")
            let conversation = try database.createConversation(title: "Lighthouse plans")
            try database.appendMessage(to: conversation.id!, role: .user, content: "paint the lighthouse red")
        }
        let mounted = home.path + "/ro"
        try FileManager.default.createDirectory(atPath: mounted, withIntermediateDirectories: false)
        func readOnly(_ arguments: String) throws -> ProcessResult {
            let script = "mount --bind '\(data)' '\(mounted)' && mount -o remount,bind,ro '\(mounted)' && " +
                "'\(Products.lumeTUI)' \(arguments) --database '\(mounted)/lume.sqlite3'"
            return try ProcessRunner.run("/usr/bin/unshare", ["-rm", "/bin/sh", "-c", script], environment: home.environment)
        }
        let listed = try readOnly("history list")
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("Lighthouse plans"))
        let found = try readOnly("history search lighthouse")
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stdout.contains("paint the **lighthouse** red"))
        #expect(try readOnly("history show 1").stdout.contains("paint the lighthouse red"))
        #expect(try readOnly("admin conversations").status == 0)
        #expect(try readOnly("whoami").status == 3, "signed out, said plainly")
        let renamed = try readOnly("history rename 1 Other")
        #expect(renamed.status == 1)
        #expect(renamed.stderr.contains("lume-tui: "))
    }

    /// A damaged page: every command that would write refuses (exit 1, pointing at `admin
    /// check`), `admin check` names the damage, and `admin recover` copies what is left into
    /// a new file that opens, searches and checks sound.
    @Test func aDamagedDatabaseIsReportedAndRecovered() throws {
        do {
            let database = try AppDatabase(path: home.databaseFile)
            for conversation in 0..<40 {
                let id = try database.createConversation(title: "Conversation \(conversation)").id!
                for index in 0..<20 {
                    try database.appendMessage(to: id, role: .user, content: "note \(conversation)-\(index) about the lighthouse " + String(repeating: "lorem ", count: 30))
                }
            }
        }
        #expect(try lume(["admin", "check"]).stdout.contains("sound"))
        // Scribble over a page in the middle, as a failing disk would.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: home.databaseFile))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: (size / 4096 / 2) * 4096)
        try handle.write(contentsOf: Data(repeating: 0x5A, count: 4096))
        try handle.close()
        let damagedBytes = FileManager.default.contents(atPath: home.databaseFile)

        let refused = try lume(["history", "rename", "1", "Other"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is damaged") && refused.stderr.contains("lume-tui admin check"))
        let check = try lume(["admin", "check"])
        #expect(check.status == 1)
        #expect(check.stdout.contains("is damaged") && check.stdout.contains("lume-tui admin recover"))

        let recovered = home.path + "/recovered.sqlite3"
        let recover = try lume(["admin", "recover", "-o", recovered])
        #expect(recover.status == 0, "\(recover.stderr)")
        #expect(recover.stdout.contains("Recovered into \(recovered): "))
        #expect(recover.stdout.contains("mv "))
        #expect(FileManager.default.contents(atPath: home.databaseFile) == damagedBytes, "the damaged file is only read")
        let copy = try AppDatabase(path: recovered)
        #expect(copy.integrityProblems().isEmpty)
        let messages = try copy.recentMessages(limit: 1000).count
        #expect(messages > 600 && messages <= 800, "most of the 800 messages survive one lost page (\(messages))")
        #expect(try copy.search("lighthouse", limit: 5).count == 5)
        #expect(try lume(["admin", "check", "--database", recovered]).status == 0)
        #expect(try lume(["admin", "recover", "-o", recovered]).status == 1, "never overwrites")
    }

    /// `lume-tui send` streams a slow reply in one process; every other command, reading or
    /// writing, leaves that reply streaming. Once the sender is killed, the next writing
    /// command marks it interrupted.
    @Test func anotherProcessesLiveReplyIsNotMarkedInterrupted() throws {
        let llm = try FakeOpenAI()
        llm.behaviour = .stream((1...60).map { "word\($0) " }, delay: 0.1)
        try home.writeConfig(llm.configSection())
        let output = TemporaryDirectory("lume-send")
        let sender = try Subprocess.spawn([Products.lumeTUI, "send", "tell me a long story"], environment: home.environment,
                                          stdin: .file("/dev/null", write: false), stdout: .file(output.file("out"), write: true),
                                          stderr: .file(output.file("err"), write: true))
        defer { kill(sender, SIGKILL); _ = Subprocess.wait(sender) }
        let database = try AppDatabase(path: home.databaseFile)
        func reply() throws -> Message? { try database.recentMessages().first { $0.role == .assistant } }
        let deadline = Date().addingTimeInterval(20)
        while (try reply()?.content.contains("word3") ?? false) == false && Date() < deadline { usleep(20_000) }
        #expect(try reply()?.status == .streaming)

        #expect(try lume(["history", "list"]).status == 0)
        #expect(try lume(["history", "rename", "1", "A story"]).status == 0)
        #expect(try reply()?.status == .streaming, "a live reply is left alone")

        kill(sender, SIGKILL)
        _ = Subprocess.wait(sender)
        #expect(try lume(["history", "rename", "1", "A story, cut short"]).status == 0)
        #expect(try reply()?.status == .interrupted)
        #expect(try reply()?.content.hasPrefix("word1 word2 word3") == true)
    }
}

/// Text from elsewhere (mail, a model's reply, a calendar title) printed by a command: a
/// terminal shows its escape sequences as symbols instead of obeying them; a pipe, a file
/// and `--raw` get the bytes exactly.
@Suite struct TerminalOutputTests {
    let home = TestHome()
    /// OSC 52 (set the clipboard), clear the screen, retitle the window, and a C1 CSI.
    static let hostile = "hi \u{1B}]52;c;cm0gLXJmIH4=\u{07}\u{1B}[2J\u{1B}]0;pwned\u{07} \u{9B}31m end"

    func seed() throws {
        let database = try AppDatabase(path: home.databaseFile)
        let conversation = try database.createConversation(title: "Mail \u{1B}[31mred")
        try database.appendMessage(to: conversation.id!, role: .assistant, content: "reply " + Self.hostile)
    }

    /// Runs lume-tui with its stdout on a terminal (`script` gives it a pty) and returns
    /// exactly what it wrote there.
    func onTerminal(_ arguments: String) throws -> String {
        let command = "'\(Products.lumeTUI)' \(arguments)"
        return try ProcessRunner.run("/usr/bin/script", ["-qec", command, "/dev/null"], environment: home.environment).stdout
    }

    @Test func aTerminalSeesEscapeSequencesAsSymbols() throws {
        try seed()
        for command in ["history show 1", "history list", "history export 1", "history search reply", "admin messages"] {
            let shown = try onTerminal(command)
            #expect(shown.contains("reply") || shown.contains("Mail"), "\(command): \(shown)")
            #expect(!shown.contains("\u{1B}]"), "\(command) passed an OSC sequence to the terminal")
            #expect(!shown.contains("\u{1B}[2J") && !shown.contains("\u{1B}[31m") && !shown.contains("\u{9B}"), "\(command)")
        }
        let shown = try onTerminal("history show 1")
        #expect(shown.contains("hi ␛]52;c;cm0gLXJmIH4=␇␛[2J␛]0;pwned␇ \u{FFFD}31m end"))
        #expect(shown.contains("Mail ␛[31mred"))
        // The match is still marked, with our own escape, around visible text.
        #expect(try onTerminal("history search pwned").contains("\u{1B}[7mpwned\u{1B}[27m"))
    }

    @Test func pipesFilesAndRawGetTheBytesExactly() throws {
        try seed()
        let piped = try ProcessRunner.lume(["history", "show", "1"], home: home)
        #expect(piped.stdout.contains(Self.hostile))
        #expect(try onTerminal("history show 1 --raw").contains(Self.hostile))
        let file = home.path + "/export.md"
        #expect(try onTerminal("history export 1 -o '\(file)'").isEmpty)
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains(Self.hostile))
        // JSON escapes the C1 control too: the same text, safe to print.
        let json = try ProcessRunner.lume(["history", "show", "1", "--json"], home: home).stdout
        #expect(json.contains("\\u001b]52") && json.contains("\\u009b31m"))
        #expect(!json.contains("\u{1B}") && !json.contains("\u{9B}"))
        let messages = (try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any])["messages"] as! [[String: Any]]
        #expect(messages[0]["content"] as? String == "reply " + Self.hostile)
    }

    @Test func aStreamedReplyIsShownSafely() throws {
        let llm = try FakeOpenAI()
        llm.behaviour = .stream(["Here: ", "\u{1B}]52;c;", "cm0gLXJmIH4=\u{07}", " done"])
        try home.writeConfig(llm.configSection())
        let shown = try onTerminal("send 'hello there'")
        #expect(shown.contains("Here: ␛]52;c;cm0gLXJmIH4=␇ done"))
        #expect(!shown.contains("\u{1B}]52"))
        let raw = try onTerminal("send --raw 'hello again'")
        #expect(raw.contains("Here: \u{1B}]52;c;cm0gLXJmIH4=\u{07} done"))
    }
}
