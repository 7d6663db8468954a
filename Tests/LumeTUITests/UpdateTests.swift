import Foundation
import LumeKit
import Testing
@testable import lume_tui

/// `App.update`: keys in, state and effects out.
@Suite struct UpdateTests {
    func state() -> AppState {
        var state = AppState(size: Size(columns: 100, rows: 30), now: Date(timeIntervalSince1970: 1_795_000_000), providerName: "builtin",
                             noColor: false, configFile: "/c.toml")
        state.account = AccountSummary(email: "ada@example.com", states: [:], clientConfigured: true)
        return state
    }

    @discardableResult
    func press(_ state: inout AppState, _ keys: Key...) -> [Effect] {
        keys.flatMap { App.update(&state, .keyPressed($0)) }
    }

    func type(_ state: inout AppState, _ text: String) {
        for character in text { _ = App.update(&state, .keyPressed(.character(character))) }
    }

    func message(_ id: Int64, _ role: MessageRole, _ text: String, conversation: Int64 = 1) -> Message {
        var message = Message(conversationID: conversation, role: role, content: text, now: Date(timeIntervalSince1970: 1_795_000_000))
        message.id = id
        return message
    }

    @Test func startingLoadsWhatTheScreenNeeds() {
        var s = state()
        let effects = App.update(&s, .started)
        #expect(effects.contains(.loadAccount))
        #expect(effects.contains(.loadConversations(after: nil, limit: ConversationList.pageSize)))
        #expect(effects.contains(.loadPromptHistory))
        #expect(effects.contains(.loadDraft(.newConversation)))
    }

    @Test func typingSavesTheDraftAndEnterSends() {
        var s = state()
        type(&s, "héllo 東京")
        #expect(s.prompt.text == "héllo 東京")
        #expect(press(&s, .character("!")) == [.saveDraft(.newConversation, "héllo 東京!")])
        let effects = press(&s, .enter)
        #expect(effects == [.sendMessage(conversationID: nil, text: "héllo 東京!"), .saveDraft(.newConversation, "")])
        #expect(s.prompt.isEmpty)
        #expect(press(&s, .enter).isEmpty, "an empty prompt sends nothing")
        type(&s, "   ")
        #expect(press(&s, .enter).isEmpty, "nor does a blank one")
    }

    @Test func newlinesAndPasteNeverSend() {
        var s = state()
        type(&s, "line one")
        press(&s, .newline)
        type(&s, "line two")
        #expect(s.prompt.text == "line one\nline two")
        let effects = App.update(&s, .pasted("pasted\r\nblock\nwith\tlines"))
        #expect(s.prompt.text == "line one\nline twopasted\nblock\nwith    lines")
        #expect(!effects.contains { if case .sendMessage = $0 { return true } else { return false } })
    }

    @Test func emacsEditing() {
        var s = state()
        type(&s, "hello big world")
        press(&s, .alt("b"))
        press(&s, .ctrl("k"))
        #expect(s.prompt.text == "hello big ")
        press(&s, .ctrl("a"))
        press(&s, .alt("f"))
        type(&s, ",")
        #expect(s.prompt.text == "hello, big ")
        press(&s, .ctrl("e"))
        press(&s, .ctrl("w"))
        #expect(s.prompt.text == "hello, ")
        press(&s, .ctrl("y"))
        #expect(s.prompt.text == "hello, big ")
        press(&s, .ctrl("u"))
        #expect(s.prompt.isEmpty)
        type(&s, "ab")
        press(&s, .ctrlLeft, .character("x"), .ctrlRight, .character("y"))
        #expect(s.prompt.text == "xaby")
        press(&s, .home, .delete, .end, .backspace)
        #expect(s.prompt.text == "ab")
    }

    @Test func upAndDownRecallEarlierPrompts() {
        var s = state()
        _ = App.update(&s, .promptHistoryLoaded(["newest", "older", "oldest"]))
        type(&s, "unsent")
        press(&s, .up)
        #expect(s.prompt.text == "newest")
        press(&s, .up, .up, .up)
        #expect(s.prompt.text == "oldest")
        press(&s, .down)
        #expect(s.prompt.text == "older")
        press(&s, .down, .down)
        #expect(s.prompt.text == "unsent", "back to what was being typed")
        // In a multi-line prompt, Up first moves between lines.
        s.prompt = PromptEditor("one\ntwo")
        press(&s, .up)
        #expect(s.prompt.text == "one\ntwo")
        #expect(s.prompt.caretLine == 0)
    }

    @Test func sendingWhileAReplyArrivesIsRefusedNotLost() {
        var s = state()
        _ = App.update(&s, .replyStarted(message(5, .assistant, "")))
        type(&s, "next question")
        #expect(press(&s, .enter).isEmpty)
        #expect(s.prompt.text == "next question")
        #expect(s.notice?.text.contains("Esc") == true)
        #expect(press(&s, .escape) == [.cancelReply])
    }

    @Test func storedMessagesAndStreamedReplies() {
        var s = state()
        var conversation = Conversation(title: "Plan", now: s.now)
        conversation.id = 7
        let user = message(1, .user, "plan it", conversation: 7)
        _ = App.update(&s, .userMessageStored(user, conversation))
        #expect(s.transcript.conversationID == 7)
        #expect(s.list.rows.first?.id == 7)
        #expect(s.history.entries.first == "plan it")
        var reply = message(2, .assistant, "", conversation: 7)
        reply.status = .streaming
        _ = App.update(&s, .replyStarted(reply))
        _ = App.update(&s, .replyChunkReceived(messageID: 2, text: "Hel"))
        _ = App.update(&s, .replyChunkReceived(messageID: 2, text: "lo"))
        #expect(s.transcript.messages.last?.content == "Hello")
        reply.content = "Hello"
        reply.status = .complete
        _ = App.update(&s, .replyFinished(reply))
        #expect(s.replyingTo == nil)
        #expect(s.transcript.messages.last?.status == .complete)
    }

    @Test func permissionDialogRunsStage1ThenEachGrant() {
        var s = state()
        s.account = AccountSummary(email: nil, states: [:], clientConfigured: true)
        let pending = message(1, .user, "email Bob and add to my shopping list")
        _ = App.update(&s, .permissionNeeded(message: pending, missing: [.email, .keep]))
        guard case .permission = s.overlay else { Issue.record("no dialog"); return }
        let effects = press(&s, .enter)
        #expect(effects == [.signIn(.identity)])
        guard case let .signIn(panel) = s.overlay else { Issue.record("no sign-in panel"); return }
        #expect(panel.queue == [.services([.email]), .services([.keep])], "Keep on its own, after Stage 1")
        let user = User(sub: "1", email: "ada@example.com", name: "Ada", now: s.now)
        let next = App.update(&s, .signInFinished(.succeeded(SignInReport(user: user, stage: .identity, outcomes: [:], grantedScopes: []))))
        #expect(next == [.loadAccount, .signIn(.services([.email]))])
        _ = App.update(&s, .signInFinished(.succeeded(SignInReport(user: user, stage: .services([.email]), outcomes: [.email: .granted], grantedScopes: []))))
        let last = App.update(&s, .signInFinished(.succeeded(SignInReport(user: user, stage: .services([.keep]), outcomes: [.keep: .unavailable], grantedScopes: []))))
        #expect(last == [.loadAccount, .answer(pending)], "then the pending message is answered")
        #expect(s.overlay == nil)
        #expect(s.notice?.text.contains("email: granted.") == true)
        #expect(s.notice?.text.contains("keep: not available") == true)
    }

    func conversation(_ id: Int64) -> Conversation {
        var conversation = Conversation(title: "t", now: Date(timeIntervalSince1970: 1_795_000_000))
        conversation.id = id
        return conversation
    }

    /// A reply holding an email draft, as ChatService stores it.
    func draftReply(_ id: Int64, status: ActionStatus = .pending) -> Message {
        var reply = message(id, .assistant, "Here is the draft: …")
        let action = PendingAction.sendEmail(EmailDraft(to: [MailAddress("bob@example.com", name: "Bob")], subject: "Lunch", body: "See you at noon."))
        reply.metadata = JSONValue.object(["pending_action": action.json, "action_status": .string(status.rawValue)]).text
        return reply
    }

    @Test func aDraftAsksAndOnlyYesOrNoAnswers() {
        var s = state()
        _ = App.update(&s, .conversationOpened(conversation(1), [message(1, .user, "email Bob")], hasEarlier: false))
        let draft = draftReply(2)
        _ = App.update(&s, .replyStarted(draft))
        _ = App.update(&s, .replyFinished(draft))
        guard case let .confirmAction(dialog) = s.overlay else { Issue.record("no dialog: \(String(describing: s.overlay))"); return }
        #expect(dialog.question == "Send this email?")
        #expect(dialog.lines == ["To: Bob <bob@example.com>", "Subject: Lunch", "", "See you at noon."])
        // Typing on is not an answer, and help does not hide the question.
        #expect(press(&s, .character("s"), .character("x"), .function(1), .backspace).isEmpty)
        #expect(s.overlay == .confirmAction(dialog))
        #expect(s.prompt.text.isEmpty)
        #expect(press(&s, .character("y")) == [.settleAction(draft: draft, confirmed: true)])
        #expect(s.overlay == nil)

        _ = App.update(&s, .replyFinished(draft))
        #expect(press(&s, .escape) == [.settleAction(draft: draft, confirmed: false)])
        var outcome = message(3, .assistant, "Cancelled: nothing was sent.")
        outcome.createdAt = draft.createdAt
        _ = App.update(&s, .actionSettled(outcome: outcome))
        #expect(s.transcript.messages.last == outcome)
    }

    @Test func aScopeGoogleRefusedIsOfferedAgain() {
        var s = state()
        let asked = message(1, .user, "check my email")
        _ = App.update(&s, .conversationOpened(conversation(1), [asked], hasEarlier: false))
        var reply = message(2, .assistant, "Google says lume-tui no longer has **email** access")
        reply.metadata = #"{"provider":"builtin","requires_permissions":["email"]}"#
        let effects = App.update(&s, .replyFinished(reply))
        #expect(effects == [.loadAccount], "the status line learns the grant is gone")
        #expect(s.overlay == .permission(PermissionDialog(message: asked, services: [.email], checked: [.email], signedIn: true)))
    }

    @Test func anEmailDraftCanBeEditedAndComesBackAsked() {
        var s = state()
        let draft = draftReply(2)
        _ = App.update(&s, .conversationOpened(conversation(1), [message(1, .user, "email Bob"), draft], hasEarlier: false))
        guard case let .confirmAction(dialog) = s.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.editable)
        #expect(press(&s, .character("e")) == [.editDraft(draft)])
        #expect(s.overlay == nil)
        var edited = draft
        edited.content = "Here is the edited draft: …"
        _ = App.update(&s, .draftRevised(edited))
        #expect(s.transcript.messages.last == edited)
        guard case .confirmAction = s.overlay else { Issue.record("the edited draft is asked about again"); return }
        // A task draft has no editor: `e` is not an answer.
        var task = message(3, .assistant, "task")
        task.metadata = JSONValue.object(["pending_action": PendingAction.addTask(TaskDraft(title: "Pay rent"), list: TaskList(id: "l", title: "My Tasks")).json,
                                          "action_status": .string("pending")]).text
        var t = state()
        _ = App.update(&t, .conversationOpened(conversation(1), [task], hasEarlier: false))
        #expect(press(&t, .character("e")).isEmpty)
    }

    @Test func anUnansweredDraftIsAskedAgainWhenItsConversationOpens() {
        var s = state()
        _ = App.update(&s, .conversationOpened(conversation(1), [message(1, .user, "email Bob"), draftReply(2)], hasEarlier: false))
        guard case .confirmAction = s.overlay else { Issue.record("no dialog"); return }
        var t = state()
        _ = App.update(&t, .conversationOpened(conversation(1), [message(1, .user, "email Bob"), draftReply(2, status: .done)], hasEarlier: false))
        #expect(t.overlay == nil, "a draft already sent is not asked about")
    }

    @Test func untickingAndAnsweringWithout() {
        var s = state()
        let pending = message(1, .user, "email Bob")
        _ = App.update(&s, .permissionNeeded(message: pending, missing: [.email, .calendar]))
        press(&s, .character(" "))  // untick email
        #expect(press(&s, .enter) == [.signIn(.services([.calendar]))])
        s.overlay = nil
        _ = App.update(&s, .permissionNeeded(message: pending, missing: [.email]))
        #expect(press(&s, .escape) == [.answer(pending)])
    }

    @Test func withoutAClientTheDialogCannotStartSignIn() {
        var s = state()
        s.account = AccountSummary(email: nil, states: [:], clientConfigured: false)
        let pending = message(1, .user, "email Bob")
        _ = App.update(&s, .permissionNeeded(message: pending, missing: [.email]))
        #expect(press(&s, .enter).isEmpty)
        #expect(press(&s, .escape) == [.answer(pending)])
    }

    @Test func declinedSignInStillAnswers() {
        var s = state()
        let pending = message(1, .user, "email Bob")
        s.overlay = .signIn(SignInPanel(stage: .services([.email]), prompt: nil, queue: [], pending: pending))
        let effects = App.update(&s, .signInFinished(.failed(stage: .services([.email]), message: "declined", declined: true)))
        #expect(effects == [.loadAccount], "explained in place first")
        guard case let .permission(dialog) = s.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.services == [.email])
        #expect(dialog.explanation == "You declined in the browser, so nothing was granted. Enter asks Google again; Esc answers without.")
        #expect(press(&s, .escape) == [.answer(pending)])
    }

    @Test func aPartialGrantIsExplainedInTheDialogAndCanBeAskedAgain() {
        var s = state()
        let pending = message(1, .user, "email Bob and add a task")
        s.overlay = .signIn(SignInPanel(stage: .services([.email, .tasks]), prompt: nil, queue: [], pending: pending))
        let user = User(sub: "1", email: "ada@example.com", name: "Ada", pictureURL: nil, now: s.now)
        let report = SignInReport(user: user, stage: .services([.email, .tasks]), outcomes: [.email: .partial, .tasks: .granted], grantedScopes: [])
        #expect(App.update(&s, .signInFinished(.succeeded(report))) == [.loadAccount])
        guard case let .permission(dialog) = s.overlay else { Issue.record("no dialog"); return }
        #expect(dialog.services == [.email])
        #expect(dialog.explanation?.hasPrefix("email: only partly granted (some boxes were left unticked), so it stays off. tasks: granted.") == true)
        #expect(press(&s, .enter) == [.signIn(.services([.email]))], "Enter asks Google again for what is missing")
    }

    @Test func signInPanelKeys() {
        var s = state()
        s.overlay = .signIn(SignInPanel(stage: .identity, prompt: nil, queue: [], pending: nil))
        #expect(press(&s, .character("o")) == [.reopenBrowser])
        press(&s, .character("p"))
        _ = App.update(&s, .pasted("http://127.0.0.1:5/oauth/callback?state=s&code=c\n"))
        #expect(press(&s, .enter) == [.submitPastedURL("http://127.0.0.1:5/oauth/callback?state=s&code=c")])
        _ = App.update(&s, .pastedURLRejected("not this sign-in"))
        guard case let .signIn(panel) = s.overlay else { Issue.record("panel closed"); return }
        #expect(panel.problem?.contains("not this sign-in") == true)
        #expect(press(&s, .escape) == [.cancelSignIn])
    }

    @Test func conversationListNavigation() {
        var s = state()
        let rows = (1...3).map { index -> Conversation in
            var row = Conversation(title: "c\(index)", now: s.now)
            row.id = Int64(index)
            return row
        }
        _ = App.update(&s, .conversationsLoaded(rows, appended: false, hasMore: false))
        press(&s, .ctrl("o"))
        #expect(s.focus == .list)
        press(&s, .down)
        #expect(press(&s, .enter) == [.openConversation(id: 2, limit: Transcript.windowSize), .loadDraft(.conversation(2))])
        #expect(s.focus == .prompt)
        press(&s, .tab, .character("r"))
        guard case .rename(2, _) = s.overlay else { Issue.record("no rename"); return }
        press(&s, .ctrl("u"))
        type(&s, "Renamed")
        #expect(press(&s, .enter) == [.rename(id: 2, title: "Renamed")])
        press(&s, .character("d"))
        #expect(press(&s, .character("n")).isEmpty, "anything but y keeps it")
        press(&s, .character("d"))
        #expect(press(&s, .character("y")) == [.delete(id: 2)])
        #expect(press(&s, .character("a")) == [.archive(id: 2)])
    }

    @Test func listPagesInAsYouScroll() {
        var s = state()
        let rows = (1...10).map { index -> Conversation in
            var row = Conversation(title: "c\(index)", now: s.now.addingTimeInterval(-Double(index)))
            row.id = Int64(index)
            return row
        }
        _ = App.update(&s, .conversationsLoaded(rows, appended: false, hasMore: true))
        s.focus = .list
        var effects: [Effect] = []
        for _ in 0..<6 { effects += press(&s, .down) }
        #expect(effects == [.loadConversations(after: ConversationCursor(updatedAt: rows[9].updatedAt, id: 10), limit: ConversationList.pageSize)])
    }

    @Test func searchRunsAsYouTypeAndJumpsToTheMessage() {
        var s = state()
        press(&s, .ctrl("f"))
        type(&s, "m")
        #expect(press(&s, .character("e")) == [.search("me")])
        let hit = SearchHit(messageID: 42, conversationID: 3, conversationTitle: "t", archived: false, role: .user, createdAt: s.now, snippet: "", score: 1)
        _ = App.update(&s, .searchCompleted(query: "me", [hit]))
        let effects = press(&s, .enter)
        #expect(effects.contains(.openConversation(id: 3, limit: Transcript.windowSize)))
        #expect(s.transcript.highlight == 42)
        #expect(s.overlay == nil)
    }

    @Test func scrollingAndLoadingEarlierMessages() {
        var s = state()
        s.transcript = Transcript(conversationID: 1, title: "t", messages: [message(100, .user, "x")], hasEarlier: true)
        press(&s, .pageUp)
        #expect(s.transcript.scrollFromBottom > 0)
        let effects = App.transcriptMeasured(&s, lines: 10)
        #expect(effects == [.loadEarlierMessages(conversationID: 1, beforeID: 100, limit: Transcript.windowSize)])
        #expect(s.transcript.scrollFromBottom == 0, "clamped to what exists")
        _ = App.update(&s, .earlierMessagesLoaded(conversationID: 1, [message(99, .assistant, "earlier")], hasEarlier: false))
        #expect(s.transcript.messages.map(\.id) == [99, 100])
        press(&s, .altDown)
        #expect(s.transcript.scrollFromBottom == 0)
    }

    @Test func quitSavesTheDraftAndStopsAReply() {
        var s = state()
        type(&s, "half a thought")
        _ = App.update(&s, .replyStarted(message(9, .assistant, "")))
        let effects = press(&s, .ctrl("c"))
        #expect(effects == [.cancelReply, .saveDraft(.newConversation, "half a thought"), .quit])
        #expect(s.quitting)
        var other = state()
        #expect(App.update(&other, .terminateRequested).last == .quit)
    }

    @Test func editorAndClipboardChords() {
        var s = state()
        type(&s, "draft")
        press(&s, .ctrl("x"))
        #expect(press(&s, .ctrl("e")) == [.openEditor("draft")])
        _ = App.update(&s, .editorFinished("written in vim\n"))
        #expect(s.prompt.text == "written in vim")
        #expect(press(&s, .alt("y")).isEmpty, "nothing to copy yet")
        s.transcript.messages = [message(1, .assistant, "Use this:\n\n```sh\nls -la\n```\n")]
        #expect(press(&s, .alt("y")) == [.copyToClipboard("Use this:\n\n```sh\nls -la\n```\n", what: "the last reply")])
        #expect(press(&s, .alt("c")) == [.copyToClipboard("ls -la", what: "the last code block")])
    }

    @Test func helpAndNoticesExpire() {
        var s = state()
        press(&s, .character("?"))
        #expect(s.overlay == .help)
        press(&s, .character("x"))
        #expect(s.overlay == nil)
        press(&s, .function(1))
        #expect(s.overlay == .help)
        _ = App.update(&s, .failed("boom"))
        #expect(s.notice?.text == "boom")
        _ = App.update(&s, .ticked(s.now.addingTimeInterval(60)))
        #expect(s.notice == nil)
    }

    @Test func theWindowLetsGoOfFarMessagesAndKeepsTheViewStill() {
        var s = state()
        let messages = (1...700).map { message(Int64($0), .user, "m\($0)") }
        s.transcript = Transcript(conversationID: 1, title: "t", messages: messages, hasEarlier: true)
        s.transcript.scrollFromBottom = 3000
        let perMessage = messages.map { (id: $0.id!, lines: 5) }
        let effects = App.transcriptMeasured(&s, lines: 3500, messageLines: perMessage)
        #expect(s.transcript.messages.count == Transcript.maxWindow)
        #expect(s.transcript.hasLater)
        #expect(s.transcript.messages.first?.id == 1, "the older side, where the view is, stays")
        #expect(s.transcript.scrollFromBottom == 3000 - 100 * 5, "the view stays on the same lines")
        #expect(effects.isEmpty, "the view is far from both ends of the window")
        let anchor = s.transcript.anchor
        #expect(anchor?.id == 101 && anchor?.hiddenLines == 5)
        // Messages that arrive below the view do not move it.
        let after = Array(s.transcript.messages.prefix(600))
        _ = App.update(&s, .laterMessagesLoaded(conversationID: 1, (601...610).map { message(Int64($0), .user, "m\($0)") }, hasLater: true))
        _ = App.transcriptMeasured(&s, lines: 3050, messageLines: (after + s.transcript.messages.suffix(10)).map { (id: $0.id!, lines: 5) })
        // Far above them, the ten extra messages are let go again; the view never moved.
        #expect(s.transcript.anchor?.id == anchor?.id)
        #expect(s.transcript.messages.count == Transcript.maxWindow)
        #expect(s.transcript.scrollFromBottom == 2500)
    }

    @Test func nearTheBottomOfAWindowTheLaterPageLoads() {
        var s = state()
        let messages = (1...200).map { message(Int64($0), .user, "m\($0)") }
        s.transcript = Transcript(conversationID: 1, title: "t", messages: messages, hasLater: true)
        s.transcript.scrollFromBottom = 10
        let effects = App.transcriptMeasured(&s, lines: 1000, messageLines: messages.map { (id: $0.id!, lines: 5) })
        #expect(effects == [.loadLaterMessages(conversationID: 1, afterID: 200, limit: Transcript.windowSize)])
    }

    /// Characters read together arrive as one `.typed`: it must mean exactly what pressing
    /// them one by one means, wherever the focus is; only the prompt takes them in one edit.
    @Test func typedTextMeansWhatItsKeysMean() {
        var dialog = state()
        dialog.overlay = .help
        var list = state()
        list.list.rows = [Conversation(title: "one", now: Date(timeIntervalSince1970: 1_795_000_000))]
        list.focus = .list
        var chord = state()
        chord.pendingChord = true
        var typing = state()
        typing.prompt = PromptEditor("already ")
        for (start, text) in [(state(), "hello world"), (state(), "?x"), (state(), "?"), (dialog, "xy"), (list, "jk"), (chord, "ab"), (typing, "more")] {
            var byKeys = start
            let keyEffects = text.flatMap { App.update(&byKeys, .keyPressed(.character($0))) }
            var together = start
            let typedEffects = App.update(&together, .typed(text))
            #expect(together == byKeys, "typing \(text.debugDescription)")
            #expect(typedEffects.last == keyEffects.last, "typing \(text.debugDescription)")
        }
        var s = typing
        #expect(App.update(&s, .typed("more")) == [.saveDraft(.newConversation, "already more")], "one draft save for the whole run")
    }

    /// Google asked to wait: the status line says how long and until when, and that Esc
    /// stops a reply that is waiting; the notice ends when the wait does.
    @Test func aWaitGoogleAskedForIsShown() {
        var s = state()
        s.replyingTo = 5
        let until = s.now.addingTimeInterval(120)
        _ = App.update(&s, .waitAnnounced(RetryNotice(who: "Google", until: until)))
        #expect(s.notice?.text == "Google asked to wait 2 minutes; trying again at \(s.time.clock(until)) — Esc cancels")
        #expect(s.notice?.until == until)
        #expect(s.notice?.kind == .warning)
        _ = App.update(&s, .ticked(until.addingTimeInterval(1)))
        #expect(s.notice == nil)
    }
}
