import ArgumentParser
import LumeKit

/// `lume-tui` / `lume-tui chat`: the curses chat UI.
struct ChatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chat", abstract: "Open the chat UI (the default).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "Open this conversation.") var conversation: Int64?

    func run() async throws {
        try await reportingErrors {
            _ = try CommandContext.make(global)
            throw CommandFailure("""
                the chat UI is not built yet. What works today: `lume-tui history list|show|search|export|rename|delete|archive` \
                and `lume-tui admin users|states|permissions|conversations|messages`.
                """)
        }
    }
}
