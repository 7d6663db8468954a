import Foundation
import LumeKit
import Testing
@testable import lume_tui

/// `render(state)` at fixed sizes, compared as text with golden files.
@Suite struct ScreenTests {
    func state(_ columns: Int = 100, _ rows: Int = 30) -> AppState {
        var state = AppState(size: Size(columns: columns, rows: rows), now: TestClock.now, providerName: "builtin", noColor: false,
                             configFile: "/home/ada/.config/lume/config.toml")
        state.account = AccountSummary(email: "ada@example.com", states: [.email: .granted, .calendar: .partial, .keep: .unavailable], clientConfigured: true)
        state.connectivity = .online
        return state
    }

    func message(_ id: Int64, _ role: MessageRole, _ text: String, services: [Service] = [], status: MessageStatus = .complete, minutesAgo: Double = 0) -> Message {
        var message = Message(conversationID: 1, role: role, content: text, services: services, status: status,
                              now: TestClock.now.addingTimeInterval(-minutesAgo * 60))
        message.id = id
        return message
    }

    func conversations(_ titles: [String]) -> [Conversation] {
        titles.enumerated().map { index, title in
            var conversation = Conversation(title: title, now: TestClock.now.addingTimeInterval(-Double(index) * 3700))
            conversation.id = Int64(index + 1)
            return conversation
        }
    }

    func render(_ state: AppState) -> Grid { Renderer.render(state).grid }

    @Test func emptyState() {
        var empty = state()
        empty.account = AccountSummary(email: nil, states: [:], clientConfigured: false)
        empty.connectivity = .unknown
        Golden.check(render(empty), "empty")
    }

    @Test func conversationWithMarkdownReply() {
        var s = state()
        s.list.rows = conversations(["Plan the offsite", "Standup 東京", "Invoices"])
        s.transcript = Transcript(conversationID: 1, title: "Plan the offsite", messages: [
            message(1, .user, "Email the team the **agenda** and add a task to book the room", services: [.email, .tasks], minutesAgo: 3),
            message(2, .assistant, """
                # Offsite plan
                Here is a *draft* for the team, with `room-42` booked:

                - Day 1: strategy
                - Day 2: hiking 🥾
                  and dinner

                > Remember the budget.

                ```swift
                let total = days.reduce(0) { $0 + $1.cost } // a long line that must never be wrapped by the renderer
                ```
                """, minutesAgo: 2),
        ])
        Golden.check(render(s), "conversation-markdown")
    }

    @Test func cjkAndEmojiWrapWithoutOverlap() {
        var s = state(60, 16)
        s.showList = false
        s.transcript = Transcript(conversationID: 1, title: "t", messages: [
            message(1, .user, "東京で会議があります。明日の予定を確認してください。ラーメンを食べに行きましょう。👩‍💻🇩🇪👍🏽❤️ e\u{301}cole", services: [.calendar]),
        ])
        s.prompt = PromptEditor("日本語の入力 and ASCII 🚀")
        let grid = render(s)
        Golden.check(grid, "cjk-emoji")
        // No wide character is cut: every continuation cell follows its character.
        for row in 0..<grid.size.rows {
            for column in 0..<grid.size.columns where grid[row, column].isContinuation {
                #expect(column > 0 && !grid[row, column - 1].isContinuation)
            }
        }
    }

    @Test func longConversationScrolledAndStreaming() {
        var s = state(80, 20)
        s.list.rows = conversations(["Long one"])
        var messages: [Message] = []
        for index in 1...30 {
            let role: MessageRole = index % 2 == 1 ? .user : .assistant
            messages.append(message(Int64(index), role, "Message number \(index) with some words to fill the line.", minutesAgo: Double(60 - index)))
        }
        messages.append(message(31, .assistant, "Partial answer that is still arriv", status: .streaming))
        s.transcript = Transcript(conversationID: 1, title: "Long one", messages: messages, hasEarlier: true)
        s.replyingTo = 31
        Golden.check(render(s), "long-streaming-bottom")
        s.transcript.scrollFromBottom = 25
        Golden.check(render(s), "long-scrolled")
    }

    @Test func interruptedAndFailedReplies() {
        var s = state(80, 14)
        s.showList = false
        s.transcript = Transcript(conversationID: 1, title: "t", messages: [
            message(1, .user, "tell me a long story"),
            message(2, .assistant, "Once upon a time", status: .interrupted),
            message(3, .user, "again"),
            message(4, .assistant, "", status: .error),
        ])
        Golden.check(render(s), "interrupted-error")
    }

    @Test func permissionDialog() {
        var s = state()
        s.account = AccountSummary(email: nil, states: [:], clientConfigured: true)
        s.overlay = .permission(PermissionDialog(message: message(1, .user, "email Bob the agenda and add a task", services: [.email, .tasks]),
                                                 services: [.email, .tasks, .keep], checked: [.email, .keep], selected: 1, signedIn: false))
        Golden.check(render(s), "permission-dialog")
        s.overlay = .permission(PermissionDialog(message: message(1, .user, "email Bob the agenda", services: [.email]), services: [.email], checked: [.email],
                                                 signedIn: true, explanation: "email: only partly granted (some boxes were left unticked), so it stays off. Enter asks Google again; Esc answers without them."))
        Golden.check(render(s), "permission-explained")
    }

    @Test func permissionDialogWithoutClient() {
        var s = state()
        s.account = AccountSummary(email: nil, states: [:], clientConfigured: false)
        s.overlay = .permission(PermissionDialog(message: message(1, .user, "am I free Thursday?", services: [.calendar]),
                                                 services: [.calendar], checked: [.calendar], signedIn: false))
        Golden.check(render(s), "permission-no-client")
    }

    @Test func draftConfirmation() {
        var s = state()
        s.time = LocalTime.utc
        let draft = message(2, .assistant, "Here is the draft")
        let email = PendingAction.sendEmail(EmailDraft(to: [MailAddress("bob@example.com", name: "Bob Ñúñez"), MailAddress("team@example.org")],
                                                       subject: "Offsite — 東京 agenda", body: "Hi all,\nthe agenda is attached. A long line that wraps inside the dialog box because it is wider than it.\n\n— Ada"))
        s.overlay = .confirmAction(ActionDialog(draft: draft, question: email.question, lines: email.draftLines(s.time), verb: email.verb, editable: true))
        Golden.check(render(s), "confirm-email")
        let event = PendingAction.createEvent(EventDraft(title: "Lunch with Bob", start: TestClock.now, end: TestClock.now.addingTimeInterval(3600)))
        s.overlay = .confirmAction(ActionDialog(draft: draft, question: event.question, lines: event.draftLines(s.time), verb: event.verb))
        Golden.check(render(s), "confirm-event")
    }

    @Test func signInPanelWithCountdown() {
        var s = state()
        let prompt = SignInPrompt(url: "https://accounts.google.com/o/oauth2/v2/auth?client_id=1234&redirect_uri=http%3A%2F%2F127.0.0.1%3A40123%2Foauth%2Fcallback",
                                  redirectURI: "http://127.0.0.1:40123/oauth/callback", port: 40123,
                                  expiresAt: TestClock.now.addingTimeInterval(545), browser: .headless)
        s.overlay = .signIn(SignInPanel(stage: .services([.calendar]), prompt: prompt, queue: [], pending: nil,
                                        pasteField: PromptEditor("http://127.0.0.1:40123/oauth/serv"), problem: nil))
        Golden.check(render(s), "sign-in-panel")
    }

    @Test func searchResults() {
        var s = state()
        var hit = SearchHit(messageID: 7, conversationID: 2, conversationTitle: "Standup 東京", archived: false, role: .user,
                            createdAt: TestClock.now.addingTimeInterval(-86400), snippet: "明日の\u{1}会議\u{2}の議題", score: 1)
        var second = hit
        second.messageID = 9
        second.conversationTitle = "Old plans"
        second.archived = true
        second.snippet = "…the \u{1}meeting\u{2} moved to Friday…"
        hit.score = 2
        s.overlay = .search(SearchPanel(field: PromptEditor("会議"), results: [hit, second], selected: 1, searchedFor: "会議"))
        Golden.check(render(s), "search-results")
    }

    @Test func helpAndDeleteConfirmation() {
        var s = state()
        s.overlay = .help
        Golden.check(render(s), "help")
        s.overlay = .confirmDelete(id: 1, title: "Plan the offsite")
        Golden.check(render(s), "confirm-delete")
    }

    @Test func narrowTerminalHidesTheList() {
        var s = state(50, 14)
        s.list.rows = conversations(["Plan the offsite"])
        s.transcript = Transcript(conversationID: 1, title: "t", messages: [message(1, .user, "A message that wraps in a narrow window, with 東京 in it.")])
        s.prompt = PromptEditor("first line\nsecond line")
        Golden.check(render(s), "narrow")
    }

    @Test func tinyTerminalShowsANotice() {
        let s = state(30, 6)
        Golden.check(render(s), "tiny")
        let grid = render(state(39, 20))
        #expect(grid.text.contains("Terminal too small"))
    }

    @Test func noticeOnTheStatusLine() {
        var s = state(80, 10)
        s.notice = Notice(text: "Copied the last reply to the clipboard.", kind: .info, until: TestClock.now.addingTimeInterval(5))
        #expect(render(s).text.split(separator: "\n").last?.contains("Copied the last reply") == true)
    }

    @Test func streamingOnlyLaysOutTheGrowingMessage() {
        var s = state(80, 20)
        s.transcript = Transcript(conversationID: 1, title: "t", messages: (1...20).map { message(Int64($0), .user, "m\($0)") })
        s.transcript.messages.append(message(21, .assistant, "Start", status: .streaming))
        let cache = TranscriptLayoutCache()
        _ = Renderer.render(s, cache: cache)
        let before = cache.layouts
        for piece in [" of", " the", " reply\n\nSecond paragraph"] {
            s.transcript.messages[20].content += piece
            _ = Renderer.render(s, cache: cache)
        }
        #expect(cache.layouts - before == 3, "one layout per chunk, of the streaming message only")
    }
}
