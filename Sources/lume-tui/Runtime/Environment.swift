import Foundation
import Logging
import LumeKit

/// The one place the live clients are built: database, HTTP, detector, assistant, sign-in.
struct Environment: Sendable {
    let context: CommandContext
    let database: AppDatabase
    let http: HTTPClient
    let chat: ChatService
    let logger: Logger

    init(context: CommandContext) throws {
        self.context = context
        database = try context.openDatabase()
        http = CurlHTTPClient()
        logger = context.logger
        let google = Self.google(context, database: database, http: http)
        chat = ChatService(database: database, assistant: Self.assistant(context, http: http, google: google), google: google, logger: logger)
    }

    /// Google access needs an OAuth client; without one nobody can be signed in, and the
    /// token key file is not created needlessly.
    static func google(_ context: CommandContext, database: AppDatabase, http: HTTPClient) -> GoogleAccess? {
        guard !context.config.google.clientID.isEmpty, let vault = try? context.openVault() else { return nil }
        let tokens = AccessTokens(database: database, vault: vault, client: TokenClient(http: http, google: context.config.google), logger: context.logger)
        return GoogleAccess(database: database, tokens: tokens, http: http, api: context.config.googleAPI)
    }

    static func assistant(_ context: CommandContext, http: HTTPClient, google: GoogleAccess?) -> Assistant {
        let config = context.config.assistant
        switch config.provider {
        case .builtin:
            return BuiltinAssistant(configFile: context.paths.configFile, google: google)
        case .openai:
            return OpenAICompatibleAssistant(baseURL: config.baseURL, model: config.model, apiKey: context.environment[config.apiKeyEnv], http: http,
                                             tools: google.map { AssistantTools(google: $0, time: LocalTime.current) },
                                             historyBudget: config.historyBudget)
        }
    }

    var config: Config { context.config }

    func vault() throws -> TokenVault { try context.openVault() }

    func signIn() throws -> SignIn {
        SignIn(config: config, configFile: context.paths.configFile, database: database, vault: try vault(), http: http,
               environment: context.environment, logger: logger)
    }

    /// The account line of the status bar and the permission dialog.
    func account() throws -> AccountSummary {
        let configured = !config.google.clientID.isEmpty
        guard let user = try database.signedInUser() else {
            return AccountSummary(email: nil, states: [:], clientConfigured: configured)
        }
        let latest = try database.latestPermissionStatus(userID: user.id!)
        let states = Dictionary(uniqueKeysWithValues: Service.allCases.map { ($0, PermissionState.of($0, user: user, latest: latest)) })
        return AccountSummary(email: user.email, states: states, clientConfigured: configured)
    }
}
