import ArgumentParser
import LumeKit

/// `lume-tui` / `lume-tui chat`: the curses chat UI.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chat", abstract: "Open the chat UI (the default).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Open this conversation.") var conversation: Int64?

    func run() async throws {
        try await reportingErrors {
            let context = try CommandContext.make(global)
            let environment = try Environment(context: context)
            if let conversation, try environment.database.conversation(id: conversation) == nil {
                throw StoreError.conversationNotFound(conversation)
            }
            let terminal: CursesTerminal
            do {
                terminal = try CursesTerminal(colors: context.environment["NO_COLOR"].map { $0.isEmpty } ?? true)
            } catch let failure as CursesTerminal.Failure {
                throw CommandFailure(failure.description)
            }
            defer { terminal.close() }
            context.logger.info("chat UI started")
            Runner(terminal: terminal, environment: environment).run(openConversation: conversation)
            context.logger.info("chat UI closed")
        }
    }
}
