import Foundation
import LumeKit

/// Carries out effects: database and network work as tasks whose results come back as
/// actions, terminal work (editor, clipboard) at once on the UI thread.
final class EffectRunner: @unchecked Sendable {
    private let environment: Environment
    private let post: @Sendable (AppAction) -> Void
    private let terminal: Terminal
    private let lock = NSLock()
    private var reply: Task<Void, Never>?
    private var signIn: (task: Task<Void, Never>, attempt: SignInAttempt?)?
    private var search: Task<Void, Never>?
    private let drafts = DraftSaver()
    private(set) var quitRequested = false

    init(environment: Environment, terminal: Terminal, post: @escaping @Sendable (AppAction) -> Void) {
        self.environment = environment
        self.terminal = terminal
        self.post = post
    }

    private var database: AppDatabase { environment.database }

    func run(_ effect: Effect) {
        switch effect {
        case let .loadConversations(after, limit):
            background { [database] in
                let rows = try database.conversations(limit: limit + 1, after: after)
                return .conversationsLoaded(Array(rows.prefix(limit)), appended: after != nil, hasMore: rows.count > limit)
            }
        case let .openConversation(id, limit):
            background { [database] in
                guard let conversation = try database.conversation(id: id) else { throw StoreError.conversationNotFound(id) }
                let messages = try database.latestMessages(in: id, limit: limit + 1)
                return .conversationOpened(conversation, Array(messages.suffix(limit)), hasEarlier: messages.count > limit)
            }
        case let .loadEarlierMessages(conversationID, beforeID, limit):
            background { [database] in
                let messages = try database.messages(in: conversationID, limit: limit + 1, beforeID: beforeID)
                return .earlierMessagesLoaded(conversationID: conversationID, Array(messages.suffix(limit)), hasEarlier: messages.count > limit)
            }
        case let .loadLaterMessages(conversationID, afterID, limit):
            background { [database] in
                let messages = try database.messages(in: conversationID, limit: limit + 1, afterID: afterID)
                return .laterMessagesLoaded(conversationID: conversationID, Array(messages.prefix(limit)), hasLater: messages.count > limit)
            }
        case .loadPromptHistory:
            background { [database] in .promptHistoryLoaded(try database.recentPrompts()) }
        case let .loadDraft(scope):
            background { [database] in .draftLoaded(scope, try database.draft(for: scope)) }
        case let .saveDraft(scope, text):
            drafts.save(text, for: scope, in: database)
        case .loadAccount:
            background { [environment] in .accountLoaded(try environment.account()) }
        case let .sendMessage(conversationID, text):
            send(text, in: conversationID)
        case let .answer(message):
            answer(message)
        case let .editDraft(draft):
            editDraft(draft)
        case let .settleAction(draft, confirmed):
            Task.detached { [environment, post] in
                post(.actionSettled(outcome: await environment.chat.settle(draft, confirmed: confirmed, onWait: { post(.waitAnnounced($0)) })))
            }
        case .cancelReply:
            lock.lock()
            reply?.cancel()
            lock.unlock()
        case let .search(query):
            lock.lock()
            search?.cancel()
            search = Task { [database, post] in
                do {
                    let hits = try database.search(query, limit: 30)
                    if !Task.isCancelled { post(.searchCompleted(query: query, hits)) }
                } catch {
                    post(.failed("Search failed: \(error)"))
                }
            }
            lock.unlock()
        case let .rename(id, title):
            background { [database] in
                try database.renameConversation(id: id, title: title)
                return .conversationRenamed(id: id, title: title)
            }
        case let .delete(id):
            background { [database] in
                try database.deleteConversation(id: id)
                return .conversationDeleted(id: id)
            }
        case let .archive(id):
            background { [database] in
                try database.setArchived(id: id, true)
                return .conversationArchived(id: id)
            }
        case let .signIn(stage):
            startSignIn(stage)
        case let .submitPastedURL(url):
            lock.lock()
            let attempt = signIn?.attempt
            lock.unlock()
            if case let .failure(problem)? = attempt?.submit(pastedURL: url) { post(.pastedURLRejected("\(problem)")) }
        case .reopenBrowser:
            lock.lock()
            let attempt = signIn?.attempt
            lock.unlock()
            if let attempt {
                Task.detached { [post] in
                    if case let .failed(_, reason) = attempt.reopenBrowser() { post(.failed("Could not open a browser: \(reason)")) }
                }
            }
        case .cancelSignIn:
            lock.lock()
            signIn?.task.cancel()
            signIn?.attempt?.cancel()
            lock.unlock()
        case let .openEditor(text):
            openEditor(text)
        case let .copyToClipboard(text, what):
            terminal.copyToClipboard(text)
            post(.copied(what))
        case .probeConnectivity:
            probe()
        case .quit:
            quitRequested = true
        }
    }

    /// Waits (briefly) for a cancelled reply to store itself as interrupted, and for the
    /// last draft to be written.
    func finish() {
        lock.lock()
        let running = reply
        lock.unlock()
        if let running {
            let done = DispatchSemaphore(value: 0)
            Task { await running.value; done.signal() }
            _ = done.wait(timeout: .now() + 2)
        }
        drafts.flush()
    }

    private func background(_ work: @escaping @Sendable () throws -> AppAction) {
        Task.detached { [post] in
            do {
                post(try work())
            } catch {
                post(.failed("\(error)"))
            }
        }
    }

    private func send(_ text: String, in conversationID: Int64?) {
        Task.detached { [environment, post] in
            do {
                let (message, conversation) = try environment.chat.storeUserMessage(text, in: conversationID)
                post(.userMessageStored(message, conversation))
                let missing = try environment.chat.missingServices(for: message)
                if missing.isEmpty {
                    self.answer(message)
                } else {
                    post(.permissionNeeded(message: message, missing: missing))
                }
            } catch {
                post(.failed("Could not save the message: \(error)"))
            }
        }
    }

    private func answer(_ message: Message) {
        let task = Task.detached { [environment, post] in
            let reply = await environment.chat.answer(
                message, onStart: { post(.replyStarted($0)) }, onText: { post(.replyChunkReceived(messageID: $0, text: $1)) },
                onWait: { post(.waitAnnounced($0)) })
            post(.replyFinished(reply))
        }
        lock.lock()
        reply = task
        lock.unlock()
    }

    private func startSignIn(_ stage: SignInStage) {
        let task = Task.detached { [environment, post] in
            do {
                let attempt = try await environment.signIn().begin(stage, openBrowser: true)
                self.lock.withLock { self.signIn?.attempt = attempt }
                // Cancelled while the listener was starting: close it straight away.
                if Task.isCancelled { attempt.cancel() }
                post(.signInPromptReady(attempt.prompt))
                let report = try await attempt.finish()
                post(.signInFinished(.succeeded(report)))
            } catch let error as SignInError {
                post(.signInFinished(.failed(stage: stage, message: error.description, declined: error == .declined || error == .cancelled)))
            } catch {
                post(.signInFinished(.failed(stage: stage, message: "\(error)", declined: false)))
            }
        }
        lock.lock()
        signIn = (task, nil)
        lock.unlock()
    }

    private func openEditor(_ text: String) {
        post(.editorFinished(editInEditor(text, name: "prompt", what: "the message")))
    }

    /// Opens a draft email in the editor; the edited text replaces the draft when it reads
    /// back as one, else the old draft stays and the status line says why.
    private func editDraft(_ draft: Message) {
        guard let (action, _) = PendingAction.of(draft), let text = action.editableText else { return }
        guard let edited = editInEditor(text, name: "draft", what: "the draft"), edited != text else {
            post(.draftRevised(draft))
            return
        }
        Task.detached { [environment, post] in
            switch environment.chat.revise(draft, editedText: edited) {
            case let .success(revised):
                post(.draftRevised(revised))
            case let .failure(problem):
                post(.failed("The edited draft was not used: \(problem)."))
                post(.draftRevised(draft))
            }
        }
    }

    /// Runs `$VISUAL`/`$EDITOR` on `text` in a private temporary file, the terminal handed
    /// over meanwhile; the edited text, or nil when the editor failed.
    private func editInEditor(_ text: String, name: String, what: String) -> String? {
        let editor = environment.context.environment["VISUAL"] ?? environment.context.environment["EDITOR"] ?? "vi"
        let file = NSTemporaryDirectory() + "lume-\(name)-\(getpid()).md"
        guard (try? PrivateFiles.createExclusively(file, contents: Data(text.utf8))) == true
            || (try? Data(text.utf8).write(to: URL(fileURLWithPath: file))) != nil else {
            post(.failed("Could not create a file for the editor."))
            return nil
        }
        defer { unlink(file) }
        var status: Int32 = -1
        terminal.suspend {
            status = Self.runShell("\(editor) \"$1\"", argument: file, environment: environment.context.environment)
        }
        guard status == 0 else {
            post(.failed("The editor (\(editor)) exited with status \(status); \(what) is unchanged."))
            return nil
        }
        return try? String(contentsOfFile: file, encoding: .utf8)
    }

    /// Runs a shell command attached to the terminal and waits for it.
    static func runShell(_ script: String, argument: String, environment: [String: String]) -> Int32 {
        guard let pid = try? Subprocess.spawn(["/bin/sh", "-c", script, "lume-tui-editor", argument], environment: environment) else { return -1 }
        return Subprocess.wait(pid)
    }

    /// Online means an HTTP answer from the endpoint lume-tui would use.
    private func probe() {
        let config = environment.config
        let target: String
        if config.assistant.provider == .openai {
            target = config.assistant.baseURL
        } else if (try? database.signedInUser()) != nil {
            target = config.google.tokenEndpoint
        } else {
            return
        }
        Task.detached { [environment, post] in
            do {
                _ = try await environment.http.send(HTTPRequest(method: "HEAD", url: target, timeout: 5))
                post(.connectivityChanged(online: true))
            } catch {
                post(.connectivityChanged(online: false))
            }
        }
    }
}

/// Saves drafts off the UI thread, keeping only the newest text per scope: a fast typist
/// causes one write per pause, not one per key, and a kill loses at most the last instant.
final class DraftSaver: @unchecked Sendable {
    private let queue = DispatchQueue(label: "lume.drafts")
    private let lock = NSLock()
    private var pending: [String: (DraftScope, String)] = [:]

    func save(_ text: String, for scope: DraftScope, in database: AppDatabase) {
        lock.lock()
        let scheduled = !pending.isEmpty
        pending["\(scope)"] = (scope, text)
        lock.unlock()
        guard !scheduled else { return }
        queue.async { [self] in write(database) }
        self.database = database
    }

    private var database: AppDatabase?

    private func write(_ database: AppDatabase) {
        lock.lock()
        let batch = pending
        pending = [:]
        lock.unlock()
        for (scope, text) in batch.values { try? database.saveDraft(text, for: scope) }
    }

    /// Writes whatever is pending, now (before exit).
    func flush() {
        queue.sync {}
        if let database { write(database) }
    }
}
