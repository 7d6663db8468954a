import ArgumentParser
import LumeKit

/// The `lume-tui` command: the chat UI by default, and one subcommand per task.
@main
struct LumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lume-tui",
        abstract: "A terminal assistant for your Gmail, Calendar, Tasks and Keep, with searchable offline history.",
        version: LumeKitInfo.version,
        subcommands: [ChatCommand.self, HistoryCommand.self, AdminCommand.self],
        defaultSubcommand: ChatCommand.self)
}
