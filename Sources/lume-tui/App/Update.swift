import Foundation
import LumeKit

/// The UI's logic: the new state and the effects for each action. Pure — no I/O, no clock
/// (time arrives as `.ticked`), no randomness — so it is tested with plain values.
enum App {
    static let minimumSize = Size(columns: 40, rows: 8)

    static func update(_ state: inout AppState, _ action: AppAction) -> [Effect] {
        switch action {
        case .started:
            return [.loadAccount, .loadConversations(after: nil, limit: ConversationList.pageSize), .loadPromptHistory,
                    .loadDraft(.newConversation), .probeConnectivity]

        case let .resized(size):
            state.size = size
            return []

        case let .ticked(now):
            state.now = now
            if let notice = state.notice, notice.until <= now { state.notice = nil }
            return []

        case let .keyPressed(key):
            return keyPressed(&state, key)

        case let .typed(text):
            let plainPrompt = !state.pendingChord && state.overlay == nil && state.focus == .prompt
            // "?" on an empty prompt opens help; anything else typed there is text.
            guard plainPrompt, !(state.prompt.isEmpty && text.hasPrefix("?")) else {
                return text.flatMap { keyPressed(&state, .character($0)) }
            }
            state.prompt.insert(text)
            state.history.position = nil
            return [.saveDraft(state.draftScope, state.prompt.text)]

        case let .pasted(text):
            if var field = activeField(state) {
                // A single-line field takes the first line only.
                field.insert(String(text.split(whereSeparator: \.isNewline).first ?? ""))
                setActiveField(&state, field)
                return searchAsYouType(&state)
            }
            state.prompt.insert(text)
            state.focus = .prompt
            return [.saveDraft(state.draftScope, state.prompt.text)]

        case let .conversationsLoaded(rows, appended, hasMore):
            state.list.rows = appended ? state.list.rows + rows.filter { row in !state.list.rows.contains { $0.id == row.id } } : rows
            state.list.hasMore = hasMore
            state.list.loading = false
            state.list.selected = min(state.list.selected, max(0, state.list.rows.count - 1))
            return []

        case let .conversationOpened(conversation, messages, hasEarlier):
            let keepHighlight = state.transcript.highlight.map { id in messages.contains { $0.id == id } } ?? false
            let highlight = keepHighlight ? state.transcript.highlight : nil
            state.transcript = Transcript(conversationID: conversation.id, title: conversation.title, messages: messages, hasEarlier: hasEarlier)
            state.transcript.highlight = highlight
            if let index = state.list.rows.firstIndex(where: { $0.id == conversation.id }) { state.list.selected = index }
            // A draft left unanswered (the app was closed on it) is asked about again.
            if let last = messages.last { askAboutDraft(&state, in: last) }
            return []

        case let .earlierMessagesLoaded(conversationID, messages, hasEarlier):
            guard conversationID == state.transcript.conversationID else { return [] }
            let known = Set(state.transcript.messages.compactMap(\.id))
            state.transcript.messages = messages.filter { !known.contains($0.id!) } + state.transcript.messages
            state.transcript.hasEarlier = hasEarlier
            state.transcript.loadingEarlier = false
            return []

        case let .laterMessagesLoaded(conversationID, messages, hasLater):
            guard conversationID == state.transcript.conversationID else { return [] }
            let known = Set(state.transcript.messages.compactMap(\.id))
            state.transcript.messages += messages.filter { !known.contains($0.id!) }
            state.transcript.hasLater = hasLater
            state.transcript.loadingLater = false
            return []

        case let .promptHistoryLoaded(entries):
            state.history.entries = entries
            return []

        case let .draftLoaded(scope, text):
            if scope == state.draftScope && state.prompt.isEmpty { state.prompt.set(text) }
            return []

        case let .accountLoaded(account):
            state.account = account
            return []

        case let .userMessageStored(message, conversation):
            if state.transcript.hasLater, state.transcript.conversationID == conversation.id {
                // The newest messages were let go while scrolled up: load the latest window.
                state.transcript.scrollFromBottom = 0
                state.transcript.anchor = nil
                return [.openConversation(id: conversation.id!, limit: Transcript.windowSize)]
            }
            if state.transcript.conversationID == nil || state.transcript.conversationID == conversation.id {
                state.transcript.conversationID = conversation.id
                state.transcript.title = conversation.title
                if !state.transcript.messages.contains(where: { $0.id == message.id }) { state.transcript.messages.append(message) }
                state.transcript.scrollFromBottom = 0
            }
            state.list.rows.removeAll { $0.id == conversation.id }
            state.list.rows.insert(conversation, at: 0)
            state.list.selected = 0
            state.history.entries.removeAll { $0 == message.content }
            state.history.entries.insert(message.content, at: 0)
            return []

        case let .permissionNeeded(message, missing):
            state.overlay = .permission(PermissionDialog(
                message: message, services: missing, checked: Set(missing), signedIn: state.account.email != nil))
            return []

        case let .replyStarted(message):
            state.replyingTo = message.id
            if message.conversationID == state.transcript.conversationID, !state.transcript.messages.contains(where: { $0.id == message.id }) {
                state.transcript.messages.append(message)
            }
            return []

        case let .waitAnnounced(notice):
            let sentence = notice.sentence(now: state.now, clock: state.time.clock)
            state.notice = Notice(text: sentence + (state.replyingTo != nil ? " — Esc cancels" : ""), kind: .warning, until: notice.until)
            return []

        case let .replyChunkReceived(id, text):
            if let index = state.transcript.messages.lastIndex(where: { $0.id == id }) {
                state.transcript.messages[index].content += text
            }
            return []

        case let .replyFinished(message):
            if state.replyingTo == message.id { state.replyingTo = nil }
            replaceShown(&state, with: message)
            markActivity(&state, message)
            askAboutDraft(&state, in: message)
            return permissionLost(&state, reply: message)

        case let .draftRevised(message):
            replaceShown(&state, with: message)
            askAboutDraft(&state, in: message)
            return []

        case let .actionSettled(outcome):
            if outcome.conversationID == state.transcript.conversationID, !state.transcript.messages.contains(where: { $0.id == outcome.id }) {
                state.transcript.messages.append(outcome)
            }
            markActivity(&state, outcome)
            return []

        case let .searchCompleted(query, hits):
            guard case var .search(panel) = state.overlay else { return [] }
            panel.results = hits
            panel.searchedFor = query
            panel.selected = 0
            state.overlay = .search(panel)
            return []

        case let .conversationRenamed(id, title):
            if let index = state.list.rows.firstIndex(where: { $0.id == id }) { state.list.rows[index].title = title }
            if state.transcript.conversationID == id { state.transcript.title = title }
            notify(&state, "Renamed.")
            return []

        case let .conversationDeleted(id), let .conversationArchived(id):
            let archived = if case .conversationArchived = action { true } else { false }
            state.list.rows.removeAll { $0.id == id }
            state.list.selected = min(state.list.selected, max(0, state.list.rows.count - 1))
            var effects: [Effect] = []
            if state.transcript.conversationID == id {
                state.transcript = Transcript()
                state.prompt = PromptEditor()
                effects.append(.loadDraft(.newConversation))
            }
            notify(&state, archived ? "Archived (still searchable: Ctrl-F)." : "Deleted.")
            return effects

        case let .signInPromptReady(prompt):
            guard case var .signIn(panel) = state.overlay else { return [] }
            panel.prompt = prompt
            state.overlay = .signIn(panel)
            return []

        case let .signInFinished(finish):
            return signInFinished(&state, finish)

        case let .pastedURLRejected(problem):
            guard case var .signIn(panel) = state.overlay else { return [] }
            panel.problem = "Not accepted: \(problem)."
            state.overlay = .signIn(panel)
            return []

        case let .editorFinished(text):
            if let text {
                state.prompt.set(text.hasSuffix("\n") ? String(text.dropLast()) : text)
                return [.saveDraft(state.draftScope, state.prompt.text)]
            }
            return []

        case let .copied(what):
            notify(&state, "Copied \(what) to the clipboard.")
            return []

        case let .failed(message):
            notify(&state, message, kind: .error, seconds: 8)
            return []

        case let .connectivityChanged(online):
            state.connectivity = online ? .online : .offline
            return []

        case .terminateRequested:
            return quit(&state)
        }
    }

    /// A stored message's newer version, in place if it is shown.
    private static func replaceShown(_ state: inout AppState, with message: Message) {
        if let index = state.transcript.messages.lastIndex(where: { $0.id == message.id }) {
            state.transcript.messages[index] = message
        }
    }

    /// The conversation list orders by last activity: a new message is activity.
    private static func markActivity(_ state: inout AppState, _ message: Message) {
        if let row = state.list.rows.firstIndex(where: { $0.id == message.conversationID }) {
            state.list.rows[row].updatedAt = message.createdAt
        }
    }

    /// Asks about the draft `message` holds when it is in view and no other dialog is up.
    private static func askAboutDraft(_ state: inout AppState, in message: Message) {
        guard message.conversationID == state.transcript.conversationID, state.overlay == nil || state.overlay == .help,
              let dialog = ActionDialog.pending(in: message, time: state.time) else { return }
        state.overlay = .confirmAction(dialog)
    }

    // MARK: Keys

    /// Google refused a service the account was thought to have (revoked in its settings):
    /// the permission flow starts again for it, and answers the message once granted.
    private static func permissionLost(_ state: inout AppState, reply: Message) -> [Effect] {
        let services = ServicesToGrant.of(reply)
        guard !services.isEmpty else { return [] }
        if state.overlay == nil, reply.conversationID == state.transcript.conversationID,
           let asked = state.transcript.messages.last(where: { $0.role == .user && ($0.id ?? 0) < (reply.id ?? 0) }) {
            state.overlay = .permission(PermissionDialog(message: asked, services: services, checked: Set(services), signedIn: state.account.email != nil))
        }
        return [.loadAccount]
    }

    private static func keyPressed(_ state: inout AppState, _ key: Key) -> [Effect] {
        if state.pendingChord {
            state.pendingChord = false
            if key == .ctrl("e") { return [.openEditor(state.prompt.text)] }
            return []
        }
        switch key {
        case .ctrl("c"), .ctrl("q"):
            return quit(&state)
        case .function(1):
            // Help opens over the main view and closes again. A dialog keeps the screen (its
            // footer lists its keys): a question, a sign-in or a search is never replaced
            // by help and lost when help closes.
            switch state.overlay {
            case nil: state.overlay = .help
            case .help?: state.overlay = nil
            default: break
            }
            return []
        default:
            break
        }
        if let overlay = state.overlay {
            return overlayKey(&state, overlay, key)
        }
        switch key {
        case .function(2):
            state.showList.toggle()
            if !state.showList { state.focus = .prompt }
            return []
        case .ctrl("n"):
            return newConversation(&state)
        case .ctrl("f"):
            state.overlay = .search(SearchPanel())
            return []
        case .ctrl("o"):
            if state.showList { state.focus = state.focus == .list ? .prompt : .list }
            return []
        case .ctrl("r"):
            if let id = state.transcript.conversationID {
                state.overlay = .rename(id: id, field: PromptEditor(state.transcript.title))
            }
            return []
        case .ctrl("x"):
            state.pendingChord = true
            return []
        case .alt("y"):
            guard let reply = state.transcript.messages.last(where: { $0.role == .assistant && !$0.content.isEmpty }) else {
                notify(&state, "No reply to copy yet.")
                return []
            }
            return [.copyToClipboard(reply.content, what: "the last reply")]
        case .alt("c"):
            guard let code = lastCodeBlock(state.transcript.messages) else {
                notify(&state, "No code block to copy.")
                return []
            }
            return [.copyToClipboard(code, what: "the last code block")]
        case .pageUp, .pageDown, .altUp, .altDown:
            return scroll(&state, key)
        case .escape where state.replyingTo != nil:
            return [.cancelReply]
        default:
            break
        }
        return state.focus == .list ? listKey(&state, key) : promptKey(&state, key)
    }

    private static func promptKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        var edited = true
        switch key {
        case .enter:
            let text = state.prompt.text
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return [] }
            if state.replyingTo != nil {
                notify(&state, "A reply is still arriving: wait, or press Esc to stop it.", kind: .warning)
                return []
            }
            let scope = state.draftScope
            state.prompt = PromptEditor()
            state.history.position = nil
            state.transcript.scrollFromBottom = 0
            state.transcript.highlight = nil
            return [.sendMessage(conversationID: state.transcript.conversationID, text: text), .saveDraft(scope, "")]
        case .newline: state.prompt.insert("\n")
        case let .character(character):
            if character == "?" && state.prompt.isEmpty {
                state.overlay = .help
                return []
            }
            state.prompt.insert(String(character))
        case .backspace: state.prompt.backspace()
        case .delete, .ctrl("d"): state.prompt.deleteForward()
        case .left, .ctrl("b"): state.prompt.left(); edited = false
        case .right: state.prompt.right(); edited = false
        case .home, .ctrl("a"): state.prompt.lineStart(); edited = false
        case .end, .ctrl("e"): state.prompt.lineEnd(); edited = false
        case .ctrl("k"): state.prompt.killToLineEnd()
        case .ctrl("u"): state.prompt.killToLineStart()
        case .ctrl("w"): state.prompt.killWordBackward()
        case .ctrl("y"): state.prompt.yank()
        case .alt("b"), .ctrlLeft: state.prompt.wordBackward(); edited = false
        case .alt("f"), .ctrlRight: state.prompt.wordForward(); edited = false
        case .up:
            if state.prompt.caretLine > 0 { state.prompt.moveLine(-1); return [] }
            return recall(&state, older: true)
        case .down:
            if state.prompt.caretLine < state.prompt.lineCount - 1 { state.prompt.moveLine(1); return [] }
            return recall(&state, older: false)
        case .tab:
            if state.showList { state.focus = .list }
            return []
        case .escape:
            state.notice = nil
            return []
        default:
            return []
        }
        if edited {
            state.history.position = nil
            return [.saveDraft(state.draftScope, state.prompt.text)]
        }
        return []
    }

    /// Up/Down on the prompt's first/last line walk through earlier prompts.
    private static func recall(_ state: inout AppState, older: Bool) -> [Effect] {
        let entries = state.history.entries
        guard !entries.isEmpty else { return [] }
        var position = state.history.position
        if older {
            if position == nil { state.history.stash = state.prompt.text }
            position = min((position ?? -1) + 1, entries.count - 1)
        } else {
            guard let current = position else { return [] }
            position = current == 0 ? nil : current - 1
        }
        state.history.position = position
        state.prompt.set(position.map { entries[$0] } ?? state.history.stash)
        return []
    }

    private static func listKey(_ state: inout AppState, _ key: Key) -> [Effect] {
        let rows = state.list.rows
        switch key {
        case .up, .character("k"):
            state.list.selected = max(0, state.list.selected - 1)
        case .down, .character("j"):
            state.list.selected = min(max(0, rows.count - 1), state.list.selected + 1)
            if state.list.selected >= rows.count - 5, state.list.hasMore, !state.list.loading, let last = rows.last {
                state.list.loading = true
                return [.loadConversations(after: ConversationCursor(updatedAt: last.updatedAt, id: last.id!), limit: ConversationList.pageSize)]
            }
        case .pageUp:
            state.list.selected = max(0, state.list.selected - 10)
        case .home:
            state.list.selected = 0
        case .enter, .right:
            guard rows.indices.contains(state.list.selected), let id = rows[state.list.selected].id else { return [] }
            state.focus = .prompt
            return open(&state, id)
        case .character("n"):
            state.focus = .prompt
            return newConversation(&state)
        case .character("r"):
            guard rows.indices.contains(state.list.selected) else { return [] }
            let row = rows[state.list.selected]
            state.overlay = .rename(id: row.id!, field: PromptEditor(row.title))
        case .character("d"), .delete:
            guard rows.indices.contains(state.list.selected) else { return [] }
            let row = rows[state.list.selected]
            state.overlay = .confirmDelete(id: row.id!, title: row.title)
        case .character("a"):
            guard rows.indices.contains(state.list.selected), let id = rows[state.list.selected].id else { return [] }
            return [.archive(id: id)]
        case .character("/"):
            state.overlay = .search(SearchPanel())
        case .tab, .escape, .left:
            state.focus = .prompt
        default:
            break
        }
        return []
    }

    private static func scroll(_ state: inout AppState, _ key: Key) -> [Effect] {
        let page = max(1, transcriptHeight(state) - 2)
        state.transcript.highlight = nil
        state.transcript.anchor = nil  // the user moved: the next measurement sets it again
        switch key {
        case .pageUp: state.transcript.scrollFromBottom += page
        case .pageDown: state.transcript.scrollFromBottom = max(0, state.transcript.scrollFromBottom - page)
        case .altUp: state.transcript.scrollFromBottom += 1
        case .altDown: state.transcript.scrollFromBottom = max(0, state.transcript.scrollFromBottom - 1)
        default: break
        }
        return []
    }

    /// The renderer reports the transcript's lines, in total and per message. Here the
    /// view is kept where it is when messages load or go below it, the scroll is clamped,
    /// messages far from the view are let go (at most `maxWindow` are held), and the page
    /// before or after is loaded when the view nears an edge of what is held.
    static func transcriptMeasured(_ state: inout AppState, lines: Int, messageLines: [(id: Int64, lines: Int)] = []) -> [Effect] {
        var transcript = state.transcript
        let height = transcriptHeight(state)
        func linesAfter(_ id: Int64) -> Int? {
            guard let index = messageLines.firstIndex(where: { $0.id == id }) else { return nil }
            return messageLines[(index + 1)...].reduce(0) { $0 + $1.lines }
        }
        if transcript.scrollFromBottom > 0, let anchor = transcript.anchor, let below = linesAfter(anchor.id) {
            transcript.scrollFromBottom = below + anchor.hiddenLines
        }
        transcript.scrollFromBottom = min(transcript.scrollFromBottom, max(0, lines - height))
        transcript.anchor = nil
        if transcript.scrollFromBottom > 0 {
            var below = 0
            for entry in messageLines.reversed() {
                if below + entry.lines >= transcript.scrollFromBottom {
                    transcript.anchor = (entry.id, transcript.scrollFromBottom - below)
                    break
                }
                below += entry.lines
            }
        }
        var effects: [Effect] = []
        if let conversationID = transcript.conversationID, transcript.highlight == nil {
            // Let go of the newest messages when they are far below the view…
            if transcript.messages.count > Transcript.maxWindow, let anchor = transcript.anchor {
                var excess = transcript.messages.count - Transcript.maxWindow
                while excess > 0, let last = transcript.messages.last, last.id != anchor.id, transcript.scrollFromBottom > height * 3 {
                    let dropped = messageLines.first { $0.id == last.id }?.lines ?? 0
                    transcript.messages.removeLast()
                    transcript.scrollFromBottom -= dropped
                    transcript.hasLater = true
                    excess -= 1
                }
            }
            // …or the oldest when they are far above it.
            let above = lines - transcript.scrollFromBottom - height
            if transcript.messages.count > Transcript.maxWindow, above > height * 3 {
                var removed = 0
                var excess = transcript.messages.count - Transcript.maxWindow
                for entry in messageLines where excess > 0 && removed + entry.lines < above - height * 2 {
                    transcript.messages.removeAll { $0.id == entry.id }
                    removed += entry.lines
                    transcript.hasEarlier = true
                    excess -= 1
                }
            }
            let maxScroll = max(0, lines - height)
            if transcript.scrollFromBottom >= maxScroll - height, transcript.hasEarlier, !transcript.loadingEarlier,
               let first = transcript.messages.first?.id, transcript.scrollFromBottom > 0 || lines < height {
                transcript.loadingEarlier = true
                effects.append(.loadEarlierMessages(conversationID: conversationID, beforeID: first, limit: Transcript.windowSize))
            }
            if transcript.hasLater, transcript.scrollFromBottom < height * 2, !transcript.loadingLater, let last = transcript.messages.last?.id {
                transcript.loadingLater = true
                effects.append(.loadLaterMessages(conversationID: conversationID, afterID: last, limit: Transcript.windowSize))
            }
        }
        state.transcript = transcript
        return effects
    }

    static func transcriptHeight(_ state: AppState) -> Int {
        Layout(state).transcript.height
    }

    // MARK: Overlays

    private static func overlayKey(_ state: inout AppState, _ overlay: Overlay, _ key: Key) -> [Effect] {
        switch overlay {
        case .help, .tooSmall:
            state.overlay = nil
            return []

        case var .search(panel):
            switch key {
            case .escape:
                state.overlay = nil
            case .up:
                panel.selected = max(0, panel.selected - 1)
                state.overlay = .search(panel)
            case .down:
                panel.selected = min(max(0, panel.results.count - 1), panel.selected + 1)
                state.overlay = .search(panel)
            case .enter:
                let query = panel.field.text.trimmingCharacters(in: .whitespaces)
                if query == panel.searchedFor, panel.results.indices.contains(panel.selected) {
                    let hit = panel.results[panel.selected]
                    state.overlay = nil
                    state.focus = .prompt
                    var effects = open(&state, hit.conversationID)
                    state.transcript.highlight = hit.messageID
                    effects = effects.map { effect in
                        if case let .openConversation(id, _) = effect { return .openConversation(id: id, limit: Transcript.windowSize) }
                        return effect
                    }
                    return effects
                }
                return query.isEmpty ? [] : [.search(query)]
            default:
                guard edit(&panel.field, key) else { return [] }
                state.overlay = .search(panel)
                return searchAsYouType(&state)
            }
            return []

        case .rename(let id, var field):
            switch key {
            case .escape:
                state.overlay = nil
            case .enter:
                let title = field.text.trimmingCharacters(in: .whitespacesAndNewlines)
                state.overlay = nil
                return title.isEmpty ? [] : [.rename(id: id, title: title)]
            default:
                if edit(&field, key) { state.overlay = .rename(id: id, field: field) }
            }
            return []

        case let .confirmDelete(id, _):
            state.overlay = nil
            return key == .character("y") || key == .character("Y") ? [.delete(id: id)] : []

        case let .confirmAction(dialog):
            switch key {
            case .character("y"), .character("Y"), .enter:
                state.overlay = nil
                return [.settleAction(draft: dialog.draft, confirmed: true)]
            case .character("n"), .character("N"), .escape:
                state.overlay = nil
                return [.settleAction(draft: dialog.draft, confirmed: false)]
            case .character("e") where dialog.editable:
                state.overlay = nil
                return [.editDraft(dialog.draft)]
            default:
                // Only an explicit answer closes it: a stray key must not send mail.
                return []
            }

        case var .permission(dialog):
            switch key {
            case .up:
                dialog.selected = max(0, dialog.selected - 1)
            case .down:
                dialog.selected = min(dialog.services.count - 1, dialog.selected + 1)
            case .character(" "):
                let service = dialog.services[dialog.selected]
                if dialog.checked.contains(service) { dialog.checked.remove(service) } else { dialog.checked.insert(service) }
            case .escape:
                // Answer without the services: the assistant says what it could not do.
                state.overlay = nil
                return [.answer(dialog.message)]
            case .enter:
                guard state.account.clientConfigured else { return [] }
                var stages: [SignInStage] = dialog.signedIn ? [] : [.identity]
                stages += SignIn.attempts(for: dialog.services.filter(dialog.checked.contains)).map { .services($0) }
                guard let first = stages.first else {
                    state.overlay = nil
                    return [.answer(dialog.message)]
                }
                state.overlay = .signIn(SignInPanel(stage: first, prompt: nil, queue: Array(stages.dropFirst()), pending: dialog.message))
                return [.signIn(first)]
            default:
                break
            }
            state.overlay = .permission(dialog)
            return []

        case var .signIn(panel):
            if var field = panel.pasteField {
                switch key {
                case .escape:
                    panel.pasteField = nil
                case .enter:
                    panel.pasteField = nil
                    panel.problem = nil
                    state.overlay = .signIn(panel)
                    return [.submitPastedURL(field.text)]
                default:
                    if edit(&field, key) { panel.pasteField = field }
                }
                state.overlay = .signIn(panel)
                return []
            }
            switch key {
            case .escape, .character("c"):
                return [.cancelSignIn]
            case .character("o"):
                return [.reopenBrowser]
            case .character("y"):
                guard let url = panel.prompt?.url else { return [] }
                return [.copyToClipboard(url, what: "the sign-in URL")]
            case .character("p"):
                panel.pasteField = PromptEditor()
                state.overlay = .signIn(panel)
            default:
                break
            }
            return []
        }
    }

    private static func signInFinished(_ state: inout AppState, _ finish: SignInFinish) -> [Effect] {
        guard case var .signIn(panel) = state.overlay else { return [.loadAccount] }
        switch finish {
        case let .succeeded(report):
            for (service, status) in report.outcomes.sorted(by: { $0.key < $1.key }) where panel.stage != .identity {
                panel.results.append(describe(service, status))
                if status != .granted { panel.refused[service] = status }
            }
            if let next = panel.queue.first {
                panel.queue.removeFirst()
                panel.stage = next
                panel.prompt = nil
                panel.problem = nil
                state.overlay = .signIn(panel)
                return [.loadAccount, .signIn(next)]
            }
            // Declined or partial grants are explained in the dialog itself, which offers to
            // ask again; only what Google will never grant (Keep outside Workspace) is final.
            let retryable = panel.refused.filter { $0.value != .unavailable }.keys.sorted()
            if let pending = panel.pending, !retryable.isEmpty {
                state.overlay = .permission(PermissionDialog(
                    message: pending, services: retryable, checked: Set(retryable), signedIn: true,
                    explanation: panel.results.joined(separator: " ") + " Enter asks Google again; Esc answers without them."))
                return [.loadAccount]
            }
            state.overlay = nil
            let summary = panel.results.isEmpty ? "Signed in as \(report.user.email)." : panel.results.joined(separator: " ")
            notify(&state, summary, kind: panel.results.contains { !$0.hasSuffix("granted.") } ? .warning : .info, seconds: 10)
            return [.loadAccount] + (panel.pending.map { [.answer($0)] } ?? [])
        case let .failed(stage, message, declined):
            if let pending = panel.pending {
                let what = declined ? "You declined in the browser, so nothing was granted." : "The sign-in did not finish: \(message)."
                state.overlay = .permission(PermissionDialog(
                    message: pending, services: panel.services, checked: Set(panel.services), signedIn: stage != .identity && state.account.email != nil,
                    explanation: what + " Enter asks Google again; Esc answers without."))
                return [.loadAccount]
            }
            state.overlay = nil
            notify(&state, declined ? "Declined in the browser: answering without those services." : message, kind: declined ? .warning : .error, seconds: 10)
            return [.loadAccount] + (panel.pending.map { [.answer($0)] } ?? [])
        }
    }

    static func describe(_ service: Service, _ status: PermissionStatus) -> String {
        switch status {
        case .granted: "\(service.rawValue): granted."
        case .partial: "\(service.rawValue): only partly granted (some boxes were left unticked), so it stays off."
        case .denied: "\(service.rawValue): not granted."
        case .unavailable: "\(service.rawValue): not available for this account (Workspace only)."
        case .requested, .failed: "\(service.rawValue): not granted."
        }
    }

    // MARK: Helpers

    private static func open(_ state: inout AppState, _ id: Int64) -> [Effect] {
        guard id != state.transcript.conversationID else { return [] }
        state.transcript = Transcript(conversationID: id, title: state.list.rows.first { $0.id == id }?.title ?? "")
        state.prompt = PromptEditor()
        return [.openConversation(id: id, limit: Transcript.windowSize), .loadDraft(.conversation(id))]
    }

    private static func newConversation(_ state: inout AppState) -> [Effect] {
        state.transcript = Transcript()
        state.prompt = PromptEditor()
        return [.loadDraft(.newConversation)]
    }

    private static func quit(_ state: inout AppState) -> [Effect] {
        state.quitting = true
        return (state.replyingTo != nil ? [.cancelReply] : []) + [.saveDraft(state.draftScope, state.prompt.text), .quit]
    }

    private static func notify(_ state: inout AppState, _ text: String, kind: Notice.Kind = .info, seconds: TimeInterval = 5) {
        state.notice = Notice(text: text, kind: kind, until: state.now.addingTimeInterval(seconds))
    }

    /// Single-line editing for dialog fields. Returns false for keys it does not use.
    private static func edit(_ field: inout PromptEditor, _ key: Key) -> Bool {
        switch key {
        case let .character(character): field.insert(String(character))
        case .backspace: field.backspace()
        case .delete, .ctrl("d"): field.deleteForward()
        case .left: field.left()
        case .right: field.right()
        case .home, .ctrl("a"): field.lineStart()
        case .end, .ctrl("e"): field.lineEnd()
        case .ctrl("u"): field.killToLineStart()
        case .ctrl("k"): field.killToLineEnd()
        case .ctrl("w"): field.killWordBackward()
        default: return false
        }
        return true
    }

    private static func activeField(_ state: AppState) -> PromptEditor? {
        switch state.overlay {
        case let .search(panel): panel.field
        case let .rename(_, field): field
        case let .signIn(panel): panel.pasteField
        default: nil
        }
    }

    private static func setActiveField(_ state: inout AppState, _ field: PromptEditor) {
        switch state.overlay {
        case var .search(panel): panel.field = field; state.overlay = .search(panel)
        case let .rename(id, _): state.overlay = .rename(id: id, field: field)
        case var .signIn(panel): panel.pasteField = field; state.overlay = .signIn(panel)
        default: break
        }
    }

    /// Search runs as the query is typed (from two characters on).
    private static func searchAsYouType(_ state: inout AppState) -> [Effect] {
        guard case let .search(panel) = state.overlay else { return [] }
        let query = panel.field.text.trimmingCharacters(in: .whitespaces)
        return query.count >= 2 && query != panel.searchedFor ? [.search(query)] : []
    }

    /// The last fenced code block of the conversation's replies.
    static func lastCodeBlock(_ messages: [Message]) -> String? {
        for message in messages.reversed() where message.role == .assistant {
            let blocks = Markdown.blocks(message.content).compactMap { block -> String? in
                if case let .code(_, lines, _) = block { return lines.joined(separator: "\n") }
                return nil
            }
            if let last = blocks.last { return last }
        }
        return nil
    }
}
