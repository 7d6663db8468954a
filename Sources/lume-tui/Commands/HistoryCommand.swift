import ArgumentParser
import Foundation
import LumeKit

/// `lume-tui history …`: the stored conversations, readable with no network.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List, read, search and manage stored conversations.",
        subcommands: [List.self, Show.self, Search.self, Export.self, Rename.self, Delete.self, Archive.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List conversations, most recent activity first.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var rawOutput: RawOutputOption
        @Flag(help: "Print JSON.") var json = false
        @Flag(help: "List archived conversations instead.") var archived = false
        @Flag(help: "List active and archived conversations.") var all = false
        @Option(help: "At most this many.") var limit = 50

        func run() async throws {
            try await reportingErrors {
                rawOutput.apply()
                guard limit > 0 else { throw CommandFailure("--limit must be positive", code: ExitStatus.usage) }
                let database = try CommandContext.make(global).openDatabase(.readOnly)
                let conversations = try database.conversations(archived: all ? nil : archived, limit: limit)
                if json {
                    Console.printLine(try Output.json(conversations.map(ConversationJSON.init)))
                } else if conversations.isEmpty {
                    Console.printLine(archived ? "No archived conversations." : "No conversations yet. Start one with `lume-tui` or `lume-tui send TEXT`.")
                } else {
                    let rows = conversations.map { c in
                        ["\(c.id!)", Output.localTime(c.updatedAt), "\(c.messageCount)",
                         (c.archived ? "[archived] " : "") + (c.title.isEmpty ? "(untitled)" : c.title)]
                    }
                    Console.printLine(Output.table(header: ["ID", "UPDATED", "MSGS", "TITLE"], rows: rows))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a conversation.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var rawOutput: RawOutputOption
        @Flag(help: "Print JSON.") var json = false
        @Argument(help: "The conversation id.") var id: Int64

        func run() async throws {
            try await reportingErrors {
                rawOutput.apply()
                let database = try CommandContext.make(global).openDatabase(.readOnly)
                let transcript = try ExportedTranscript.load(id, from: database)
                Console.printLine(json ? try Output.json(transcript.json) : transcript.plainText())
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Full-text search across every message.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var rawOutput: RawOutputOption
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "At most this many results.") var limit = 20
        @Argument(help: "Words to find (all of them).") var query: [String]

        func run() async throws {
            try await reportingErrors {
                rawOutput.apply()
                let text = query.joined(separator: " ")
                guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw CommandFailure("give words to search for", code: ExitStatus.usage)
                }
                let database = try CommandContext.make(global).openDatabase(.readOnly)
                let hits = try database.search(text, limit: max(1, limit))
                if json {
                    Console.printLine(try Output.json(hits.map(SearchHitJSON.init)))
                    return
                }
                if hits.isEmpty {
                    Console.printLine("No messages match \"\(text)\".")
                    return
                }
                let styled = Console.stdoutIsTTY && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
                for hit in hits {
                    let title = hit.conversationTitle.isEmpty ? "(untitled)" : hit.conversationTitle
                    Console.printLine("\(hit.conversationID)#\(hit.messageID)  \(Output.localTime(hit.createdAt))  \(hit.role.rawValue)  \(title)\(hit.archived ? " [archived]" : "")")
                    Console.printStyledLine("    " + Output.markedSnippet(hit.snippet, styled: styled, show: Console.visible))
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export a conversation as Markdown or JSON.")
        enum Format: String, ExpressibleByArgument, CaseIterable { case md, json }
        @OptionGroup var global: GlobalOptions
        @OptionGroup var rawOutput: RawOutputOption
        @Option(help: "md or json.") var format: Format = .md
        @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of stdout.", valueName: "path"))
        var output: String?
        @Argument(help: "The conversation id.") var id: Int64

        func run() async throws {
            try await reportingErrors {
                rawOutput.apply()
                let database = try CommandContext.make(global).openDatabase(.readOnly)
                let transcript = try ExportedTranscript.load(id, from: database)
                let text = format == .md ? transcript.markdown() : try Output.json(transcript.json)
                if let output {
                    do {
                        try (text + "\n").write(toFile: output, atomically: true, encoding: .utf8)
                    } catch {
                        throw CommandFailure("cannot write \(output): \(error.localizedDescription)")
                    }
                } else {
                    Console.printLine(text)
                }
            }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Give a conversation a new title.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The conversation id.") var id: Int64
        @Argument(help: "The new title.") var title: [String]

        func run() async throws {
            try await reportingErrors {
                let newTitle = title.joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines)
                guard !newTitle.isEmpty else { throw CommandFailure("the title cannot be empty", code: ExitStatus.usage) }
                try CommandContext.make(global).openDatabase().renameConversation(id: id, title: newTitle)
                Console.printLine("Renamed conversation \(id) to \"\(newTitle)\".")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a conversation, its messages and their search entries.",
            discussion: "Asks first when run in a terminal; --yes skips the question.")
        @OptionGroup var global: GlobalOptions
        @Flag(name: [.short, .long], help: "Do not ask.") var yes = false
        @Argument(help: "The conversation id.") var id: Int64

        func run() async throws {
            try await reportingErrors {
                let database = try CommandContext.make(global).openDatabase()
                guard let conversation = try database.conversation(id: id) else { throw StoreError.conversationNotFound(id) }
                if !yes && Console.stdinIsTTY {
                    let title = conversation.title.isEmpty ? "(untitled)" : conversation.title
                    FileHandle.standardError.write(Data("Delete conversation \(id) \"\(title)\" and its \(conversation.messageCount) messages? [y/N] ".utf8))
                    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
                    guard answer == "y" || answer == "yes" else {
                        Console.printError("Kept conversation \(id).")
                        throw ExitCode(ExitStatus.declined)
                    }
                }
                try database.deleteConversation(id: id)
                Console.printLine("Deleted conversation \(id).")
            }
        }
    }

    struct Archive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move a conversation to the archive (it stays searchable).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Bring it back from the archive.") var undo = false
        @Argument(help: "The conversation id.") var id: Int64

        func run() async throws {
            try await reportingErrors {
                try CommandContext.make(global).openDatabase().setArchived(id: id, !undo)
                Console.printLine(undo ? "Conversation \(id) is active again." : "Archived conversation \(id).")
            }
        }
    }
}
