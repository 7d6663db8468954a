import ArgumentParser
import Foundation
import LumeKit

/// The `lume-tui` command: the chat UI by default, and one subcommand per task.
struct LumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lume-tui",
        abstract: "A terminal assistant for your Gmail, Calendar, Tasks and Keep, with searchable offline history.",
        version: LumeKitInfo.version,
        subcommands: [
            ChatCommand.self, LoginCommand.self, GrantCommand.self, WhoamiCommand.self, LogoutCommand.self,
            SendCommand.self, DetectCommand.self, HistoryCommand.self, AdminCommand.self,
        ],
        defaultSubcommand: ChatCommand.self)
}

/// The entry point. ArgumentParser exits 64 on a usage error; CONTRACT.md promises 2,
/// so usage errors are reported here and everything else keeps ArgumentParser's handling.
@main
enum Main {
    static func main() async {
        do {
            var command = try LumeCommand.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if LumeCommand.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((LumeCommand.fullMessage(for: error) + "\n").utf8))
                exit(ExitStatus.usage)
            }
            LumeCommand.exit(withError: error)
        }
    }
}
