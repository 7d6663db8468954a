import ArgumentParser
import Foundation
import LumeKit

/// `lume-tui login`: Stage 1 sign-in (identity and contacts).
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Sign in to Google (your identity and contacts).",
        discussion: "Opens your browser; with --no-browser, prints the URL and reads the address the browser ended on from stdin.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Do not open a browser: print the URL and paste back the address the browser ends on.") var noBrowser = false

    func run() async throws {
        try await reportingErrors {
            let session = try SignInSession(global)
            let report = try await session.run(.identity, openBrowser: !noBrowser)
            let user = report.user
            Console.printLine("Signed in as \(user.name.isEmpty ? user.email : "\(user.name) <\(user.email)>").")
            let services = Service.allCases.filter { report.outcomes[$0] == .granted }
            if !services.isEmpty {
                Console.printLine("Already granted: \(services.map(\.rawValue).joined(separator: ", ")).")
            }
            Console.printLine("Services are added when a message first needs them, or with `lume-tui grant email calendar tasks keep`.")
        }
    }
}

/// `lume-tui grant SERVICE...`: Stage 2, per service.
struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Give lume-tui access to Gmail (email), Calendar, Tasks or Keep.",
        discussion: "Keep is asked for on its own: Google offers it to Workspace accounts only.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Do not open a browser: print the URL and paste back the address the browser ends on.") var noBrowser = false
    @Argument(help: "email, calendar, tasks or keep.") var services: [Service]

    func run() async throws {
        try await reportingErrors {
            let session = try SignInSession(global)
            var declined = false
            var unavailable = false
            for group in SignIn.attempts(for: services) {
                let report: SignInReport
                do {
                    report = try await session.run(.services(group), openBrowser: !noBrowser)
                } catch SignInError.declined {
                    Console.printLine("\(group.map(\.rawValue).joined(separator: ", ")): declined in the browser.")
                    declined = true
                    continue
                }
                for service in group {
                    let status = report.outcomes[service] ?? .failed
                    Console.printLine(Self.describe(service, status, granted: report.grantedScopes))
                    if status == .denied { declined = true }
                    if status == .unavailable { unavailable = true }
                }
            }
            if declined { throw ExitCode(ExitStatus.declined) }
            if unavailable { throw ExitCode(ExitStatus.failure) }
        }
    }

    static func describe(_ service: Service, _ status: PermissionStatus, granted: Set<String>) -> String {
        switch status {
        case .granted:
            return "\(service.rawValue): granted."
        case .partial:
            let missing = GoogleScopes.scopes(for: service).filter { !granted.contains($0) }.map(shortScope)
            return "\(service.rawValue): partly granted — these boxes were left unticked: \(missing.joined(separator: ", ")). "
                + "lume-tui will not use \(service.rawValue) until all are granted; run `lume-tui grant \(service.rawValue)` to try again."
        case .denied:
            return "\(service.rawValue): not granted (its boxes were left unticked)."
        case .unavailable:
            return "\(service.rawValue): not available for this account (Google offers the Keep API to Workspace accounts only)."
        case .requested, .failed:
            return "\(service.rawValue): not granted."
        }
    }

    static func shortScope(_ scope: String) -> String {
        scope.replacingOccurrences(of: "https://www.googleapis.com/auth/", with: "")
    }
}

extension Service: ExpressibleByArgument {}

/// `lume-tui whoami`: the signed-in account and each service's state.
struct WhoamiCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "whoami", abstract: "Show the signed-in Google account and each service's permission.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var rawOutput: RawOutputOption
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        try await reportingErrors {
            rawOutput.apply()
            let context = try CommandContext.make(global)
            let database = try context.openDatabase(.readOnly)
            if !json, let warning = database.folderWarning {
                Console.printError("warning: \(warning)")
            }
            guard let user = try database.signedInUser() else {
                if json { Console.printLine(#"{"signed_in":false}"#) } else { Console.printLine("Not signed in. Run `lume-tui login`.") }
                throw ExitCode(ExitStatus.signInNeeded)
            }
            let latest = try database.latestPermissionStatus(userID: user.id!)
            let states = Dictionary(uniqueKeysWithValues: Service.allCases.map { ($0, PermissionState.of($0, user: user, latest: latest)) })
            if json {
                Console.printLine(try Output.json(WhoamiJSON(user: user, states: states, warning: database.folderWarning)))
                return
            }
            Console.printLine("\(user.name.isEmpty ? user.email : "\(user.name) <\(user.email)>")")
            Console.printLine(Output.table(header: ["SERVICE", "PERMISSION"], rows: Service.allCases.map { [$0.rawValue, states[$0]!.rawValue] }))
        }
    }
}

struct WhoamiJSON: Encodable {
    let signed_in = true
    let sub: String
    let email: String
    let name: String
    let picture_url: String?
    let services: [String: String]
    let scopes: [String]
    /// Present when the database's folder is open to other users.
    let folder_warning: String?

    init(user: User, states: [Service: PermissionState], warning: String?) {
        folder_warning = warning
        sub = user.sub
        email = user.email
        name = user.name
        picture_url = user.pictureURL
        services = Dictionary(uniqueKeysWithValues: states.map { ($0.key.rawValue, $0.value.rawValue) })
        scopes = user.grantedScopes.split(separator: " ").map(String.init)
    }
}

/// `lume-tui logout`: revoke and forget the tokens; history stays.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Sign out: revoke lume-tui's Google access and delete its tokens. History stays.")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await reportingErrors {
            let context = try CommandContext.make(global)
            let database = try context.openDatabase()
            guard let user = try database.signedInUser() else {
                Console.printLine("Not signed in.")
                return
            }
            let client = TokenClient(http: CurlHTTPClient(), google: context.config.google)
            let result = try await SignOut.run(user: user, database: database, vault: try context.openVault(), client: client)
            Console.printLine("Signed out of \(user.email). Your conversation history stays.")
            if let problem = result.revocationProblem {
                Console.printLine("""
                    Google could not revoke lume-tui's access (\(problem)); the tokens are deleted here anyway. \
                    To remove the access yourself, visit https://myaccount.google.com/permissions.
                    """)
            } else {
                Console.printLine("lume-tui no longer holds any Google permission: every scope it was granted is revoked.")
            }
        }
    }
}

/// Runs sign-in attempts from the command line: prints what the user must do, reads a
/// pasted URL when there is no browser here, and cancels cleanly on Ctrl-C.
struct SignInSession {
    let context: CommandContext
    let signIn: SignIn

    init(_ global: GlobalOptions) throws {
        context = try CommandContext.make(global)
        let database = try context.openDatabase()
        signIn = SignIn(
            config: context.config, configFile: context.paths.configFile, database: database, vault: try context.openVault(),
            http: CurlHTTPClient(), environment: context.environment, logger: context.logger)
    }

    func run(_ stage: SignInStage, openBrowser: Bool) async throws -> SignInReport {
        // Ctrl-C cancels the attempt (closing the listener) instead of killing the process;
        // installed first, so no moment of the attempt is left uncovered.
        let flow = Task { try await attempt(stage, openBrowser: openBrowser) }
        let interrupt = InterruptWatcher { flow.cancel() }
        defer { interrupt.stop() }
        do {
            return try await flow.value
        } catch SignInError.cancelled where interrupt.fired {
            throw CommandFailure("sign-in cancelled", code: ExitStatus.interrupted)
        }
    }

    private func attempt(_ stage: SignInStage, openBrowser: Bool) async throws -> SignInReport {
        let attempt = try await signIn.begin(stage, openBrowser: openBrowser)
        let prompt = attempt.prompt
        let what = stage == .identity ? "sign in to Google" : "grant \(stage.requestedServices.map(\.rawValue).joined(separator: " and "))"
        let acceptsPaste: Bool
        switch prompt.browser {
        case let .opened(command):
            Console.printError("Opened your browser (\(command)) to \(what). If nothing appeared, open this URL:")
            acceptsPaste = false
        case let .failed(command, reason):
            Console.printError("Could not open a browser\(command.isEmpty ? "" : " with \(command)") (\(reason)). To \(what), open this URL:")
            acceptsPaste = true
        case .headless:
            Console.printError("No browser on this machine (an SSH session without a display). To \(what), open this URL in a browser anywhere:")
            acceptsPaste = true
        case .notRequested:
            Console.printError("To \(what), open this URL in a browser:")
            acceptsPaste = true
        }
        Console.printLine(prompt.url)
        if acceptsPaste {
            Console.printError("""
                When it finishes, the browser goes to \(prompt.redirectURI)?… (on another machine the page \
                will not load). Paste that full address here and press Enter.
                Or forward the port instead: \(prompt.sshHint), then open the URL on your machine.
                """)
        }
        let minutes = Int((prompt.expiresAt.timeIntervalSinceNow / 60).rounded())
        Console.printError("Waiting up to \(minutes) minute\(minutes == 1 ? "" : "s") (Ctrl-C cancels)…")

        if acceptsPaste { PasteReader.start(attempt) }
        return try await attempt.finish()
    }
}

/// Reads pasted URLs from stdin until the attempt ends.
enum PasteReader {
    static func start(_ attempt: SignInAttempt) {
        Thread.detachNewThread {
            while let line = readLine() {
                guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
                if case let .failure(problem) = attempt.submit(pastedURL: line) {
                    Console.printError("Not accepted: \(problem). Paste the full address from the browser's address bar.")
                } else {
                    return
                }
            }
        }
    }
}

/// Turns Ctrl-C into a callback instead of killing the process, while it is installed.
final class InterruptWatcher: @unchecked Sendable {
    private let source: DispatchSourceSignal
    private(set) var fired = false

    init(_ handler: @escaping @Sendable () -> Void) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT)
        source.setEventHandler { [unowned self] in
            fired = true
            handler()
        }
        source.resume()
    }

    func stop() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
