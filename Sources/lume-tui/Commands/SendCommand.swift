import ArgumentParser
import Foundation
import LumeKit

/// `lume-tui send TEXT`: one chat turn without the UI, stored like any other.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send one message and print the reply (no UI). It is stored like any other.",
        discussion: """
            When the message needs Google services that are not granted, nothing is asked: it prints what \
            is missing (with --json: {"requires_permissions": true, "services": [...]}) and exits 3. \
            Anything the assistant would send or create is shown as a draft and done only with --yes; \
            without it the draft is dropped and the exit code is 4.
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var rawOutput: RawOutputOption
    @Option(help: "Continue this conversation (default: a new one).") var conversation: Int64?
    @Flag(help: "Print the reply as JSON.") var json = false
    @Flag(help: "Carry out what the assistant drafts (send mail, create events) without asking.") var yes = false
    @Argument(help: "The message.") var text: [String]

    func run() async throws {
        try await reportingErrors {
            rawOutput.apply()
            let message = text.joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !message.isEmpty else { throw CommandFailure("give a message to send", code: ExitStatus.usage) }
            let environment = try Environment(context: try CommandContext.make(global))
            if let conversation, try environment.database.conversation(id: conversation) == nil {
                throw StoreError.conversationNotFound(conversation)
            }
            let (stored, conversation) = try environment.chat.storeUserMessage(message, in: conversation)
            let missing = try environment.chat.missingServices(for: stored)
            guard missing.isEmpty else {
                if json {
                    Console.printLine(try Output.json(PermissionsNeeded(services: missing.map(\.rawValue))))
                } else {
                    let signedIn = try environment.database.signedInUser() != nil
                    let names = missing.map(\.rawValue).joined(separator: ", ")
                    Console.printError(signedIn
                        ? "This needs \(names), not granted yet: run `lume-tui grant \(missing.map(\.rawValue).joined(separator: " "))`."
                        : "This needs \(names): sign in with `lume-tui login`, then `lume-tui grant \(missing.map(\.rawValue).joined(separator: " "))`.")
                    Console.printError("(Your message is saved in conversation \(conversation.id!).)")
                }
                throw ExitCode(ExitStatus.signInNeeded)
            }
            let streaming = !json
            let clock = environment.chat.time
            // Ctrl-C stops a reply, not an action already confirmed (it may be half done).
            func announcer(_ suffix: String) -> @Sendable (RetryNotice) -> Void {
                { notice in Console.printError("lume-tui: " + notice.sentence(now: Date(), clock: clock.clock) + suffix) }
            }
            let answer = Task {
                await environment.chat.answer(stored, onText: { _, piece in
                    if streaming { Console.write(piece) }
                }, onWait: announcer(" — Ctrl-C cancels"))
            }
            // Ctrl-C stops the reply; what arrived is kept, marked interrupted.
            let watcher = InterruptWatcher { answer.cancel() }
            defer { watcher.stop() }
            let reply = await answer.value
            if !json && !reply.content.hasSuffix("\n") { Console.printLine("") }
            // A drafted write is done only with --yes; without it the draft is declined, so
            // nothing is left waiting for a confirmation that cannot come.
            var outcome: Message?
            if reply.status == .complete, PendingAction.of(reply) != nil {
                outcome = await environment.chat.settle(reply, confirmed: yes, onWait: announcer(""))
                if !json {
                    if !yes {
                        Console.printError("Not done: run again with --yes to confirm this draft.")
                    } else if outcome!.status == .complete {
                        Console.printLine(outcome!.content)
                    } else {
                        Console.printError("lume-tui: " + outcome!.content)
                    }
                }
            }
            // Google refused a service the account was thought to hold: as when it was
            // never granted, the answer is the permission list and exit 3.
            let refused = ServicesToGrant.of(reply)
            if !refused.isEmpty {
                if json { Console.printLine(try Output.json(PermissionsNeeded(services: refused.map(\.rawValue)))) }
                throw ExitCode(ExitStatus.signInNeeded)
            }
            if json {
                Console.printLine(try Output.json(SendJSON(conversation: conversation, reply: reply, outcome: outcome)))
            }
            if let outcome {
                guard outcome.status == .complete else { throw ExitCode(ExitStatus.failure) }
                if !yes { throw ExitCode(ExitStatus.declined) }
                return
            }
            switch reply.status {
            case .complete:
                return
            case .interrupted:
                if !json { Console.printError("(interrupted: the partial reply is saved)") }
                throw ExitCode(ExitStatus.interrupted)
            case .error, .streaming:
                let problem = JSONValue.parse(reply.metadata)["error"]?.stringValue ?? "the reply failed"
                throw CommandFailure(problem)
            }
        }
    }
}

struct PermissionsNeeded: Encodable {
    let requires_permissions = true
    let services: [String]
}

struct SendJSON: Encodable {
    let conversation_id: Int64
    let message_id: Int64?
    let reply: String
    let status: String
    let metadata: JSONValue
    /// What became of a drafted action: "done", "declined" or "failed", and its message.
    let action: ActionOutcome?

    struct ActionOutcome: Encodable {
        let result: String
        let message: String
    }

    init(conversation: Conversation, reply: Message, outcome: Message?) {
        conversation_id = conversation.id!
        message_id = reply.id
        self.reply = reply.content
        status = reply.status.rawValue
        metadata = JSONValue.parse(reply.metadata)
        action = outcome.map { ActionOutcome(result: JSONValue.parse($0.metadata)["action_result"]?.stringValue ?? "failed", message: $0.content) }
    }
}
