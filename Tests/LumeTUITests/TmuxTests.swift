import Foundation
import LumeKit
import LumeTestSupport
import Testing

/// The real binary in tmux: what a user sees and keeps.
@Suite(.serialized) struct TmuxTests {
    let home = TestHome()

    func database() throws -> AppDatabase { try AppDatabase(path: home.databaseFile) }

    @Test func launchShowsTheEmptyState() throws {
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("the empty state") {
            $0.contains("lume-tui — your Gmail") && $0.contains("No conversations yet.") && $0.contains("Google not set up │ builtin")
                && $0.contains("› Message (Enter sends")
        }
        try tmux.press("C-q")
        try tmux.waitForExit()
    }

    @Test func sendsCJKAndEmojiWithTheirFlagsAndKeepsThemAcrossRuns() throws {
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("lume-tui — your Gmail")
        try tmux.type("email 東京チーム about the 🚀 launch and add a task")
        try tmux.press("Enter")
        try tmux.waitFor("the message with its flags") { $0.contains("[email] [tasks]") && $0.contains("email 東京チーム about the 🚀 launch and add a task") }
        // No client configured: the dialog says what to set; Esc answers without.
        try tmux.waitFor("the dialog") { $0.contains("Google access needed") && $0.contains("client_id") }
        try tmux.press("Escape")
        try tmux.waitFor("That needs your Google account")
        try tmux.press("C-q")
        try tmux.waitForExit()

        let conversations = try database().conversations()
        #expect(conversations.count == 1)
        #expect(try database().messages(in: conversations[0].id!).map(\.role) == [.user, .assistant])

        let again = try TmuxSession(home: home)
        try again.waitFor("the list") { $0.contains("email 東京チーム") && $0.contains("Conversations") }
        try again.press("C-o")
        try again.press("Enter")
        try again.waitFor("the old conversation") { $0.contains("That needs your Google account") && $0.contains("[email] [tasks]") }
        try again.press("C-q")
        try again.waitForExit()
    }

    @Test func resizeReflowsAndATinyWindowSaysSo() throws {
        let database = try database()
        let conversation = try database.createConversation(title: "Reflow")
        try database.appendMessage(to: conversation.id!, role: .user, content: String(repeating: "wrapping words ", count: 12) + "東京")
        let tmux = try TmuxSession(home: home, arguments: ["--conversation", "\(conversation.id!)"])
        try tmux.waitFor("wrapping words")
        #expect(tmux.screen.contains("Conversations"))
        try tmux.resize(columns: 60, rows: 20)
        let narrow = try tmux.waitFor("list hidden below 70 columns") { !$0.contains("Conversations") && $0.contains("wrapping") }
        #expect(narrow.split(separator: "\n").allSatisfy { $0.count <= 60 })
        try tmux.resize(columns: 30, rows: 6)
        try tmux.waitFor("Terminal too small")
        try tmux.resize(columns: 100, rows: 30)
        try tmux.waitFor("Conversations")
        try tmux.press("C-q")
        try tmux.waitForExit()
    }

    @Test func searchFindsAnOldMessageAndJumpsToIt() throws {
        let database = try database()
        for index in 0..<30 {
            let conversation = try database.createConversation(title: "Filler \(index)")
            try database.appendMessage(to: conversation.id!, role: .user, content: "ordinary chatter number \(index)")
        }
        let old = try database.createConversation(title: "Archived trip", now: Date(timeIntervalSince1970: 1_600_000_000))
        try database.appendMessage(to: old.id!, role: .user, content: "Die Grüße aus Zürich und das Kamel", now: Date(timeIntervalSince1970: 1_600_000_000))
        try database.setArchived(id: old.id!, true)
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("Filler 29")
        try tmux.press("C-f")
        try tmux.waitFor("Search")
        try tmux.type("zurich kamel")
        try tmux.waitFor("the result") { $0.contains("Archived trip") && $0.contains("· archived") }
        try tmux.press("Enter")
        try tmux.waitFor("Die Grüße aus Zürich und das Kamel")
        try tmux.press("C-q")
        try tmux.waitForExit()
    }

    @Test func whatWasTypedSurvivesAKill() throws {
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("lume-tui — your Gmail")
        try tmux.type("an unsent thought about ラーメン")
        try tmux.waitFor("an unsent thought about ラーメン")
        // The draft is written off the UI thread; give it a moment, then kill without warning.
        let deadline = Date().addingTimeInterval(5)
        while (try? database().draft(for: .newConversation)) != "an unsent thought about ラーメン" && Date() < deadline { usleep(50_000) }
        let pid = try #require(tmux.pid)
        kill(pid, SIGKILL)
        try tmux.waitForExit()
        let again = try TmuxSession(home: home)
        try again.waitFor("› an unsent thought about ラーメン")
        try again.press("C-q")
        try again.waitForExit()
    }

    @Test func theTerminalIsRestoredAfterSignals() throws {
        for signal in ["TERM", "HUP", "INT"] {
            let tmux = try TmuxSession(home: home, command: "sh -c '\(Products.lumeTUI); echo \"exit=$?\"; stty -a | tr \" \" \"\\n\" | grep -x -e icanon -e -icanon -e echo -e -echo; sleep 30'")
            try tmux.waitFor("lume-tui — your Gmail")
            // The pane runs sh; lume-tui is its child.
            let shell = try #require(tmux.pid)
            let pid = try #require(try ProcessRunner.run("/usr/bin/pgrep", ["-P", "\(shell)"], environment: ["PATH": "/usr/bin:/bin"]).stdout
                .split(separator: "\n").first.flatMap { Int32($0) })
            kill(pid, signal == "TERM" ? SIGTERM : signal == "HUP" ? SIGHUP : SIGINT)
            let screen = try tmux.waitFor("the shell after exit") { $0.contains("exit=") && $0.contains("icanon") }
            #expect(screen.contains("exit=0"), "\(signal): \(screen)")
            #expect(screen.contains("\nicanon") && screen.contains("\necho"), "\(signal): the terminal is back in cooked mode")
        }
    }

    @Test func pasteArrivesAsOneMessage() throws {
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("lume-tui — your Gmail")
        try tmux.paste("first pasted line\nsecond pasted line")
        try tmux.waitFor("second pasted line")
        #expect(try database().conversations().isEmpty, "a pasted newline does not send")
        try tmux.press("Enter")
        try tmux.waitFor("Google access needed") { $0.contains("Assistant") || $0.contains("Google access needed") }
        let messages = try database().recentMessages()
        #expect(messages.last?.content == "first pasted line\nsecond pasted line")
        try tmux.press("C-q")
    }

    /// Without bracketed paste a paste is keystrokes; 20 KB of them land in the prompt
    /// whole and promptly (it used to take seconds: each keystroke copied the whole text).
    @Test func anUnbracketedPasteLandsInThePromptWhole() throws {
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("lume-tui — your Gmail")
        let text = String(repeating: "lorem ipsum dolor sit amet ", count: 740) + "END-OF-PASTE"
        try tmux.pasteUnbracketed(text)
        try tmux.waitFor("END-OF-PASTE", timeout: 10)
        try tmux.press("Enter")
        try tmux.waitFor("the reply") { $0.contains("Assistant") || $0.contains("Google access needed") }
        #expect(try database().recentMessages().last?.content == text)
        try tmux.press("C-q")
    }

    @Test func thePermissionDialogCompletesAGrantAgainstTheFakeGoogle() throws {
        let google = try FakeGoogle()
        let api = FakeGoogleAPI(google)
        api.addPerson(.init("Ada Lovelace", "ada@example.com"))
        try home.writeConfig(google.configSection + api.configSection + "[oauth]\ntimeout = 60\nbrowser = \"\(Products.testBrowser)\"\n")
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("not signed in │ builtin")
        try tmux.type("email Ada the notes from standup")
        try tmux.press("Enter")
        // Waited for whole: a capture can land while a frame is still being written.
        try tmux.waitFor("the permission dialog") {
            $0.contains("This message needs Google access") && $0.contains("[x] Gmail") && $0.contains("You are not signed in")
        }
        try tmux.press("Enter")
        // The stand-in browser completes Stage 1, then Stage 2; the status line updates and
        // the pending message is answered.
        // The status line first shows the outcome ("email: granted.") for a few seconds.
        try tmux.waitFor("the grant reported", timeout: 30) { $0.contains("email: granted.") || $0.contains("ada@example.com │ email✓") }
        // Answered with a draft, resolved through Contacts, shown in full before anything is sent.
        try tmux.waitFor("the draft", timeout: 20) {
            $0.contains("Send this email?") && $0.contains("To: Ada Lovelace <ada@example.com>") && $0.contains("y send · e edit · n cancel")
        }
        #expect(api.sent.isEmpty)
        try tmux.press("y")
        try tmux.waitFor("Sent “The notes from standup” to Ada Lovelace <ada@example.com>.", timeout: 20)
        #expect(api.sent.first?.headers["subject"] == "The notes from standup")
        try tmux.waitFor("the status line shows email granted") { $0.contains("ada@example.com │ email✓") }
        #expect(google.exchanges == 2)
        let stages = google.authorizationRequests.map { $0.query["redirect_uri"] ?? "" }
        #expect(stages.count == 2 && stages[0].hasSuffix("/oauth/callback") && stages[1].hasSuffix("/oauth/service-callback"))
        let user = try #require(try database().signedInUser())
        #expect(user.emailGranted)
        try tmux.press("C-q")
        try tmux.waitForExit()
    }

    @Test func draftsWaitForAnExplicitAnswerAndSurviveARestart() throws {
        let account = try home.signedIn([.calendar, .tasks])
        let today = LocalTime.utc.day(Date())
        account.api.addEvent(.init(id: "s", summary: "Standup", start: today + "T09:00:00Z", end: today + "T09:15:00Z"))
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("ada@example.com │")
        try tmux.type("what's on my calendar today")
        try tmux.press("Enter")
        try tmux.waitFor("• 09:00–09:15 Standup")

        try tmux.type("remind me to pay rent tomorrow")
        try tmux.press("Enter")
        try tmux.waitFor("the task draft") { $0.contains("Add this task?") && $0.contains("Task: Pay rent") && $0.contains("y add · n cancel") }
        // A stray key is not an answer; quitting leaves the draft waiting.
        try tmux.press("x")
        try tmux.press("C-q")
        try tmux.waitForExit()
        #expect(account.api.tasks().isEmpty)

        let again = try TmuxSession(home: home, arguments: ["chat", "--conversation", "1"])
        try again.waitFor("the draft asked again") { $0.contains("Add this task?") && $0.contains("Task: Pay rent") }
        try again.press("n")
        try again.waitFor("Cancelled: nothing was created.")
        #expect(account.api.tasks().isEmpty)
        try again.press("C-q")
        try again.waitForExit()
    }

    /// A request missing its time gets one question; the typed answer completes the request
    /// into a draft, and nothing is created until the draft is confirmed.
    @Test func aMissingTimeIsAskedForAndTheAnswerMakesTheDraft() throws {
        let account = try home.signedIn([.calendar])
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("ada@example.com │")
        try tmux.type("meet with joe tomorrow")
        try tmux.press("Enter")
        try tmux.waitFor("What time should \"Meet with joe\" start?")
        #expect(account.api.events.isEmpty)
        try tmux.type("at 3")
        try tmux.press("Enter")
        try tmux.waitFor("the event draft") {
            $0.contains("Event: Meet with joe") && $0.contains("15:00–16:00") && $0.contains("y create · n cancel")
        }
        #expect(account.api.events.isEmpty)
        try tmux.press("y")
        try tmux.waitFor("Created Meet with joe,")
        #expect(account.api.events.map { $0.json["summary"]?.stringValue } == ["Meet with joe"])
        try tmux.press("C-q")
        try tmux.waitForExit()
    }

    @Test func anLLMReadsWithAToolAndDraftsAWriteTheUserConfirms() throws {
        let account = try home.signedIn([.tasks])
        account.api.addTask(title: "Buy milk")
        let llm = try FakeOpenAI()
        llm.behaviour = .script([
            .toolCalls([.init(id: "call_1", name: "list_tasks", arguments: "{}")]),
            .text(["You have ", "one open task: ", "**buy milk**."]),
            .toolCalls([.init(id: "call_2", name: "draft_task", arguments: #"{"title":"Water the plants","due":"2026-12-01"}"#)]),
        ])
        try home.writeConfig(account.google.configSection + account.api.configSection + llm.configSection())
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("ada@example.com │")
        try tmux.type("what tasks are still open?")
        try tmux.press("Enter")
        try tmux.waitFor("You have one open task: buy milk.")
        try tmux.type("add a task to water the plants on Tuesday")
        try tmux.press("Enter")
        // The draft's text shows in the transcript while the reply is still being saved; the
        // dialog (with its footer) is what takes the answer.
        try tmux.waitFor("the draft") {
            $0.contains("Add this task?") && $0.contains("Task: Water the plants") && $0.contains("Due: Tue 1 Dec") && $0.contains("y add · n cancel")
        }
        #expect(account.api.tasks().count == 1)
        try tmux.press("y")
        try tmux.waitFor("Added Water the plants to My Tasks, due Tue 1 Dec.")
        #expect(account.api.tasks().map { $0["title"]?.stringValue } == ["Buy milk", "Water the plants"])
        let replies = try database().recentMessages(limit: 10).filter { $0.role == .assistant }
        #expect(replies.contains { JSONValue.parse($0.metadata)["tool_calls"] != nil })
        try tmux.press("C-q")
        try tmux.waitForExit()
    }

    @Test func anEmailDraftIsEditedInTheEditorBeforeItIsSent() throws {
        let account = try home.signedIn([.email])
        let tmux = try TmuxSession(home: home, extraEnvironment: ["EDITOR": "sed -i -e s/noon/one/ -e s/bob@example.com/bob@example.org/"])
        try tmux.waitFor("ada@example.com │")
        try tmux.type("email bob@example.com about lunch saying see you at noon")
        try tmux.press("Enter")
        try tmux.waitFor("the draft") { $0.contains("Send this email?") && $0.contains("y send · e edit · n cancel") }
        try tmux.press("e")
        try tmux.waitFor("the edited draft") { $0.contains("Send this email?") && $0.contains("To: bob@example.org") && $0.contains("See you at one.") }
        try tmux.press("y")
        try tmux.waitFor("Sent “Lunch” to bob@example.org.")
        #expect(account.api.sent.map(\.body) == ["See you at one."])
        #expect(account.api.sent.first?.headers["to"] == "bob@example.org")
        try tmux.press("C-q")
        try tmux.waitForExit()
    }

    @Test func killedMidReplyKeepsTheMessageAndThePartialReply() throws {
        let llm = try FakeOpenAI()
        llm.behaviour = .stream((1...40).map { "word\($0) " }, delay: 0.25)
        try home.writeConfig(llm.configSection())
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("fake-model")
        try tmux.type("tell me a long story")
        try tmux.press("Enter")
        try tmux.waitFor("word6")
        // Let the stored copy catch up with the screen, then kill without warning.
        let database = try database()
        let deadline = Date().addingTimeInterval(5)
        while !(try database.recentMessages().first { $0.role == .assistant }?.content.contains("word6") ?? false) && Date() < deadline {
            usleep(50_000)
        }
        kill(try #require(tmux.pid), SIGKILL)
        try tmux.waitForExit()

        let messages = try database.recentMessages().reversed()
        #expect(messages.map(\.role) == [.user, .assistant])
        #expect(messages.first?.content == "tell me a long story")
        let partial = try #require(messages.last)
        #expect(partial.content.hasPrefix("word1 word2 "))
        #expect(!partial.content.contains("word40"))

        let again = try TmuxSession(home: home)
        try again.waitFor("tell me a long story")
        try again.press("C-o")
        try again.press("Enter")
        try again.waitFor("the partial reply") { $0.contains("⚠ interrupted") && $0.contains("word1 word2") }
        #expect(try database.message(id: partial.id!)?.status == .interrupted)
        try again.press("C-q")
        try again.waitForExit()
    }

    @Test func escStopsAStreamingReplyAndKeepsIt() throws {
        let llm = try FakeOpenAI()
        llm.behaviour = .stream((1...40).map { "piece\($0) " }, delay: 0.2)
        try home.writeConfig(llm.configSection())
        let tmux = try TmuxSession(home: home)
        try tmux.waitFor("fake-model")
        try tmux.type("stream something")
        try tmux.press("Enter")
        try tmux.waitFor("piece3")
        try tmux.press("Escape")
        try tmux.waitFor("⚠ interrupted")
        let reply = try #require(try database().recentMessages().first)
        #expect(reply.status == .interrupted)
        #expect(reply.content.contains("piece3"))
        try tmux.press("C-q")
        try tmux.waitForExit()
    }

    @Test func scrollingBackLoadsEarlierPagesOfALongConversation() throws {
        let database = try database()
        let conversation = try database.createConversation(title: "Long")
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        try database.importConversations([])
        for index in 0..<500 {
            try database.appendMessage(to: conversation.id!, role: index % 2 == 0 ? .user : .assistant,
                                       content: "entry number \(index)", now: start.addingTimeInterval(Double(index)))
        }
        let tmux = try TmuxSession(home: home, arguments: ["--conversation", "\(conversation.id!)"])
        try tmux.waitFor("entry number 499")
        #expect(!tmux.screen.contains("entry number 0\n"))
        // Far more pages than the first window holds: the earlier pages are loaded on the way.
        for _ in 0..<150 { try tmux.press("PageUp") }
        let top = try tmux.waitFor("the first message", timeout: 20) { $0.contains("entry number 0") }
        #expect(!top.contains("earlier messages (PgUp)"))
        try tmux.press("C-q")
        try tmux.waitForExit()
    }

    @Test func composingInTheEditorAndCopyingWithOSC52() throws {
        let database = try database()
        let conversation = try database.createConversation(title: "Copy")
        try database.appendMessage(to: conversation.id!, role: .user, content: "show me the command")
        try database.appendMessage(to: conversation.id!, role: .assistant, content: "Run this:\n\n```sh\nls -la /tmp\n```\n")
        // The "editor" edits the file in place, as an editor would.
        let tmux = try TmuxSession(home: home, arguments: ["--conversation", "\(conversation.id!)"],
                                   extraEnvironment: ["EDITOR": "sed -i s/draft/edited-in-the-editor/"])
        try tmux.tmux(["set-option", "-g", "set-clipboard", "on"])
        try tmux.waitFor("ls -la /tmp")
        try tmux.type("my draft")
        try tmux.press("C-x")
        try tmux.press("C-e")
        try tmux.waitFor("› my edited-in-the-editor")
        try tmux.press("M-c")
        try tmux.waitFor("Copied the last code block")
        let buffer = try tmux.tmux(["show-buffer"])
        #expect(buffer == "ls -la /tmp")
        try tmux.press("M-y")
        try tmux.waitFor("Copied the last reply")
        #expect(try tmux.tmux(["show-buffer"]).hasPrefix("Run this:"))
        try tmux.press("C-q")
        try tmux.waitForExit()
    }
}
