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
