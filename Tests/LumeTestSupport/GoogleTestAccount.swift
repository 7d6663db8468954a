import Foundation
import Logging
import LumeKit

/// A signed-in user against the fake Google: a real database and vault holding tokens the
/// fake issued for `services`, ready to build API clients on.
public final class GoogleTestAccount: @unchecked Sendable {
    public let google: FakeGoogle
    public let api: FakeGoogleAPI
    public let database: AppDatabase
    public let vault: TokenVault
    public let user: User
    public let config: Config

    /// `databasePath` and `keyFile` default to files in `directory`; pass a `TestHome`'s to
    /// drive the real binary against the same account.
    public init(directory: String, services: [Service], databasePath: String? = nil, keyFile: String? = nil) throws {
        google = try FakeGoogle()
        api = FakeGoogleAPI(google)
        for file in [databasePath, keyFile].compactMap({ $0 }) {
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        database = try AppDatabase(path: databasePath ?? directory + "/lume.sqlite3")
        vault = try TokenVault.open(keyFile: keyFile ?? directory + "/token.key")
        let account = google.account
        var user = try database.upsertUser(sub: account.sub, email: account.email, name: account.name, pictureURL: nil)
        let scopes = GoogleScopes.identity + services.flatMap(GoogleScopes.scopes(for:))
        user.grantedScopes = GoogleScopes.join(scopes)
        for service in services { user.setGranted(service, true) }
        try database.saveUser(user)
        self.user = user
        try database.storeTokens(google.issueTokens(scopes: Set(scopes)), for: user.id!, vault: vault)
        config = try ConfigParser.parse(google.configSection + api.configSection, file: "test.toml", environment: [:]).config
    }

    public var tokens: AccessTokens {
        AccessTokens(database: database, vault: vault, client: TokenClient(http: CurlHTTPClient(), google: config.google), logger: Logger(label: "test"))
    }

    /// A client that retries quickly, so backoff tests do not wait seconds.
    public func client(retry: RetryPolicy = RetryPolicy(attempts: 3, baseDelay: 0.01, maxDelay: 0.05), log: GoogleCallLog = GoogleCallLog()) -> GoogleClient {
        GoogleClient(http: CurlHTTPClient(), tokens: tokens, userID: user.id!, api: config.googleAPI, retry: retry, log: log)
    }

    /// The requests the fake saw for one API (paths start with e.g. "/gmail/v1").
    public func requests(_ prefix: String) -> [TestHTTPRequest] {
        google.requests.filter { $0.path.hasPrefix(prefix) }
    }
}

extension TestHome {
    /// A signed-in account in this home against a new fake Google, and the config naming
    /// it, so the real binary uses both.
    public func signedIn(_ services: [Service]) throws -> GoogleTestAccount {
        let account = try GoogleTestAccount(directory: path, services: services, databasePath: databaseFile, keyFile: tokenKeyFile)
        try writeConfig(account.google.configSection + account.api.configSection)
        return account
    }
}
