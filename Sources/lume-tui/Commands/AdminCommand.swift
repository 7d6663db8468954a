import ArgumentParser
import Foundation
import LumeKit

/// `lume-tui admin …`: what the original web backend's admin panel monitored, read-only.
/// Secrets (verifiers, tokens) are never shown; states show only their first characters.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Inspect users, sign-in attempts, permission requests, conversations and messages.",
        subcommands: [Users.self, States.self, Permissions.self, Conversations.self, Messages.self, Check.self, Recover.self])

    struct Users: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accounts that have signed in.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var rawOutput: RawOutputOption
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                rawOutput.apply()
                let database = try CommandContext.make(global).openDatabase(.readOnly)
                let users = try database.users()
                let withTokens = try Set(users.filter { try database.hasTokens(userID: $0.id!) }.map(\.id!))
                if json {
                    Console.printLine(try Output.json(users.map { UserJSON($0, signedIn: withTokens.contains($0.id!)) }))
                    return
                }
                guard !users.isEmpty else { return Console.printLine("No users. Sign in with `lume-tui login`.") }
                Console.printLine(Output.table(
                    header: ["ID", "EMAIL", "NAME", "SERVICES", "SIGNED IN", "LAST LOGIN"],
                    rows: users.map { u in
                        ["\(u.id!)", u.email, u.name, Service.allCases.filter(u.isGranted).map(\.rawValue).joined(separator: ",").ifEmpty("-"),
                         withTokens.contains(u.id!) ? "yes" : "no", u.lastLoginAt.map(Output.localTime) ?? "-"]
                    }))
            }
        }
    }

    struct States: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recent sign-in attempts (OAuth states).")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let states = try CommandContext.make(global).openDatabase(.readOnly).oauthStates()
                let now = Date()
                if json {
                    Console.printLine(try Output.json(states.map { StateJSON($0, now: now) }))
                    return
                }
                guard !states.isEmpty else { return Console.printLine("No sign-in attempts.") }
                Console.printLine(Output.table(
                    header: ["ID", "STATE", "STAGE", "SERVICES", "CREATED", "STATUS"],
                    rows: states.map { s in
                        ["\(s.id!)", StateJSON.preview(s.state), "\(s.stage)", s.services.ifEmpty("-"),
                         Output.localTime(s.createdAt), StateJSON.status(s, now: now)]
                    }))
            }
        }
    }

    struct Permissions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Per-service permission requests and their outcome.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let database = try CommandContext.make(global).openDatabase(.readOnly)
                let requests = try database.permissionRequests()
                let emails = Dictionary(uniqueKeysWithValues: try database.users().map { ($0.id!, $0.email) })
                if json {
                    Console.printLine(try Output.json(requests.map { PermissionJSON($0, email: emails[$0.userID] ?? "") }))
                    return
                }
                guard !requests.isEmpty else { return Console.printLine("No permission requests.") }
                Console.printLine(Output.table(
                    header: ["ID", "USER", "SERVICE", "STATUS", "REQUESTED", "RESOLVED"],
                    rows: requests.map { r in
                        ["\(r.id!)", emails[r.userID] ?? "#\(r.userID)", r.service.rawValue, r.status.rawValue,
                         Output.localTime(r.requestedAt), r.resolvedAt.map(Output.localTime) ?? "-"]
                    }))
            }
        }
    }

    struct Conversations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every conversation, active and archived.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var rawOutput: RawOutputOption
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "At most this many.") var limit = 100

        func run() async throws {
            try await reportingErrors {
                rawOutput.apply()
                let conversations = try CommandContext.make(global).openDatabase(.readOnly).conversations(archived: nil, limit: max(1, limit))
                if json {
                    Console.printLine(try Output.json(conversations.map(ConversationJSON.init)))
                    return
                }
                guard !conversations.isEmpty else { return Console.printLine("No conversations.") }
                Console.printLine(Output.table(
                    header: ["ID", "CREATED", "UPDATED", "MSGS", "STATE", "TITLE"],
                    rows: conversations.map { c in
                        ["\(c.id!)", Output.localTime(c.createdAt), Output.localTime(c.updatedAt), "\(c.messageCount)",
                         c.archived ? "archived" : "active", c.title.ifEmpty("(untitled)")]
                    }))
            }
        }
    }

    struct Messages: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The most recent messages across all conversations.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var rawOutput: RawOutputOption
        @Flag(help: "Print JSON.") var json = false
        @Option(help: "At most this many.") var limit = 50

        func run() async throws {
            try await reportingErrors {
                rawOutput.apply()
                let messages = try CommandContext.make(global).openDatabase(.readOnly).recentMessages(limit: max(1, limit))
                if json {
                    Console.printLine(try Output.json(messages.map(MessageJSON.init)))
                    return
                }
                guard !messages.isEmpty else { return Console.printLine("No messages.") }
                Console.printLine(Output.table(
                    header: ["ID", "CONV", "ROLE", "STATUS", "SERVICES", "CREATED", "TEXT"],
                    rows: messages.map { m in
                        ["\(m.id!)", "\(m.conversationID)", m.role.rawValue, m.status.rawValue, m.services.ifEmpty("-"),
                         Output.localTime(m.createdAt), DisplayWidth.truncate(Output.oneLine(m.content), to: 60)]
                    }))
            }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the whole database file for damage (SQLite's integrity check) and say what to do.",
            discussion: "Exit status 0 when the file is sound, 1 when it is damaged or cannot be read.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reportingErrors {
                let context = try CommandContext.make(global)
                let path = context.paths.databaseFile
                // Opened as it is: no check on open (this is the check), nothing written.
                let problems: [String]
                do {
                    problems = try AppDatabase(path: path, access: .readOnly).integrityProblems()
                } catch StoreError.damaged(_, let problem) {
                    problems = [problem]
                } catch let error as StoreError {
                    if case .cannotOpen = error { problems = ["\(error)"] } else { throw error }
                }
                if json {
                    Console.printLine(try Output.json(CheckJSON(database: path, sound: problems.isEmpty, problems: problems)))
                } else if problems.isEmpty {
                    Console.printLine("\(path): sound (SQLite's integrity check found no problem).")
                } else {
                    Console.printLine("\(path) is damaged. SQLite's integrity check says:")
                    for problem in problems.prefix(10) { Console.printLine("  " + problem) }
                    if problems.count > 10 { Console.printLine("  … and \(problems.count - 10) more") }
                    Console.printLine("""

                        What to do: quit every lume-tui using this file (the chat UI, send), then run
                          lume-tui admin recover\(global.database.map { " --database \(Output.shellQuoted($0))" } ?? "")
                        which copies everything that can still be read into a new file and says how to
                        put it in place. The damaged file is never changed.
                        """)
                }
                if !problems.isEmpty { throw ExitCode(ExitStatus.failure) }
            }
        }
    }

    struct Recover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy everything that can still be read from a damaged database into a new file.",
            discussion: "The damaged file is only read. Quit every lume-tui using it first.")
        @OptionGroup var global: GlobalOptions
        @Option(name: [.short, .long], help: ArgumentHelp("The new file (default: next to the database, named …-recovered-DATE.sqlite3).", valueName: "path"))
        var output: String?

        func run() async throws {
            try await reportingErrors {
                let context = try CommandContext.make(global)
                let path = context.paths.databaseFile
                guard FileManager.default.fileExists(atPath: path) else { throw StoreError.cannotOpen(path: path, reason: "no such file") }
                let target = output.map { AppPaths.absolute($0, in: FileManager.default.currentDirectoryPath) }
                    ?? Self.defaultOutput(for: path, now: Date())
                let report = try AppDatabase.salvage(from: path, into: target)
                let copied = report.copied
                Console.printLine("Recovered into \(target): \(copied["conversations"] ?? 0) conversations, \(copied["messages"] ?? 0) messages, "
                    + "\(copied["users"] ?? 0) accounts (\(copied["tokens"] ?? 0) with their sign-in).")
                if !report.unreadable.isEmpty {
                    let tables = report.unreadable.keys.sorted().map { "\($0) (\(report.unreadable[$0]!) damaged stretch\(report.unreadable[$0]! == 1 ? "" : "es"))" }
                    Console.printLine("Could not read parts of: \(tables.joined(separator: ", ")); what was there is missing from the copy.")
                }
                if report.rebuiltConversations > 0 {
                    Console.printLine("\(report.rebuiltConversations) conversations lost their title and are called \"Recovered conversation\".")
                }
                Console.printLine("""
                    To use it, with every lume-tui closed:
                      mv \(Output.shellQuoted(path)) \(Output.shellQuoted(path + ".damaged"))
                      mv \(Output.shellQuoted(target)) \(Output.shellQuoted(path))
                    """)
            }
        }

        static func defaultOutput(for path: String, now: Date) -> String {
            let stamp = TimeFormat.iso8601(now).filter { $0 != "-" && $0 != ":" }  // 20261204T180509Z
            let base = path.hasSuffix(".sqlite3") ? String(path.dropLast(8)) : path
            return "\(base)-recovered-\(stamp).sqlite3"
        }
    }
}

struct UserJSON: Encodable {
    let id: Int64
    let sub: String
    let email: String
    let name: String
    let picture_url: String?
    let granted_scopes: [String]
    let permissions: [String: Bool]
    let signed_in: Bool
    let created_at: Date
    let last_login_at: Date?

    init(_ u: User, signedIn: Bool) {
        id = u.id!
        sub = u.sub
        email = u.email
        name = u.name
        picture_url = u.pictureURL
        granted_scopes = u.grantedScopes.split(separator: " ").map(String.init)
        permissions = Dictionary(uniqueKeysWithValues: Service.allCases.map { ($0.rawValue, u.isGranted($0)) })
        signed_in = signedIn
        created_at = u.createdAt
        last_login_at = u.lastLoginAt
    }
}

struct StateJSON: Encodable {
    let id: Int64
    let state_preview: String
    let stage: Int
    let services: [String]
    let redirect_uri: String
    let created_at: Date
    let expires_at: Date
    let consumed_at: Date?
    let status: String

    init(_ s: OAuthState, now: Date) {
        id = s.id!
        state_preview = Self.preview(s.state)
        stage = s.stage
        services = s.requestedServices.map(\.rawValue)
        redirect_uri = s.redirectURI
        created_at = s.createdAt
        expires_at = s.expiresAt
        consumed_at = s.consumedAt
        status = Self.status(s, now: now)
    }

    /// Enough of a state to tell attempts apart, not enough to forge a callback.
    static func preview(_ state: String) -> String { String(state.prefix(6)) + "…" }

    static func status(_ s: OAuthState, now: Date) -> String {
        if s.consumedAt != nil { return "used" }
        return s.expiresAt <= now ? "expired" : "pending"
    }
}

struct PermissionJSON: Encodable {
    let id: Int64
    let user_id: Int64
    let user_email: String
    let service: String
    let status: String
    let requested_at: Date
    let resolved_at: Date?

    init(_ r: PermissionRequest, email: String) {
        id = r.id!
        user_id = r.userID
        user_email = email
        service = r.service.rawValue
        status = r.status.rawValue
        requested_at = r.requestedAt
        resolved_at = r.resolvedAt
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}

struct CheckJSON: Encodable {
    let database: String
    let sound: Bool
    let problems: [String]
}
