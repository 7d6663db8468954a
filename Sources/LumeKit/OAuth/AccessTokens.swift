import Foundation
import Logging

/// Why no access token can be had without the user.
public enum AccessTokenError: Error, Equatable, CustomStringConvertible {
    case notSignedIn
    /// The grant is gone (`invalid_grant`); the tokens were dropped.
    case signInAgain(reason: String)
    case refreshFailed(String)

    public var description: String {
        switch self {
        case .notSignedIn:
            return "not signed in: run `lume-tui login`"
        case let .signInAgain(reason):
            return """
                Google no longer accepts lume-tui's sign-in (\(reason)). Likely causes: access was revoked \
                in your Google account, the OAuth app is in "Testing" status (its tokens expire after 7 days), \
                or the password changed. Run `lume-tui login` to sign in again.
                """
        case let .refreshFailed(detail):
            return "could not renew Google access: \(detail)"
        }
    }
}

/// Hands out valid access tokens, refreshing shortly before they expire, one refresh at a
/// time per user (concurrent callers share it).
public actor AccessTokens {
    private let database: AppDatabase
    private let vault: TokenVault
    private let client: TokenClient
    private let logger: Logger
    private let now: @Sendable () -> Date
    private var refreshing: [Int64: Task<String, Error>] = [:]

    /// Refresh this long before expiry, so a token never dies mid-request.
    public static let margin: TimeInterval = 120

    public init(database: AppDatabase, vault: TokenVault, client: TokenClient, logger: Logger, now: @escaping @Sendable () -> Date = Date.init) {
        self.database = database
        self.vault = vault
        self.client = client
        self.logger = logger
        self.now = now
    }

    /// A token good for at least `margin` more seconds.
    public func accessToken(for userID: Int64) async throws -> String {
        guard let tokens = try database.tokens(for: userID, vault: vault) else { throw AccessTokenError.notSignedIn }
        if tokens.expiresAt.timeIntervalSince(now()) > Self.margin { return tokens.accessToken }
        return try await refresh(userID)
    }

    /// A new token whatever the stored one's expiry says: after the API answered 401.
    public func refreshedToken(for userID: Int64) async throws -> String {
        try await refresh(userID)
    }

    private func refresh(_ userID: Int64) async throws -> String {
        if let running = refreshing[userID] { return try await running.value }
        let task = Task { try await performRefresh(userID) }
        refreshing[userID] = task
        defer { refreshing[userID] = nil }
        return try await task.value
    }

    private func performRefresh(_ userID: Int64) async throws -> String {
        guard let tokens = try database.tokens(for: userID, vault: vault) else { throw AccessTokenError.notSignedIn }
        guard let refreshToken = tokens.refreshToken else {
            try database.deleteTokens(for: userID)
            throw AccessTokenError.signInAgain(reason: "no refresh token is stored")
        }
        do {
            let response = try await client.refresh(refreshToken: refreshToken)
            let renewed = Tokens(
                accessToken: response.accessToken, refreshToken: response.refreshToken,
                expiresAt: now().addingTimeInterval(TimeInterval(response.expiresIn ?? 3600)),
                scopes: response.scope.map { GoogleScopes.join(GoogleScopes.parse($0)) } ?? tokens.scopes)
            try database.storeTokens(renewed, for: userID, vault: vault, now: now())
            logger.info("access token refreshed", metadata: ["user": "\(userID)"])
            return renewed.accessToken
        } catch let error as OAuthError where error.code == "invalid_grant" {
            // Final for this grant: retrying cannot help, and the tokens are useless now.
            try database.deleteTokens(for: userID)
            logger.notice("refresh token rejected; tokens dropped", metadata: ["user": "\(userID)"])
            throw AccessTokenError.signInAgain(reason: "invalid_grant")
        } catch let error as OAuthError {
            throw AccessTokenError.refreshFailed("\(error)")
        } catch let error as HTTPError {
            throw AccessTokenError.refreshFailed("\(error)")
        }
    }
}

/// Each service's state for `whoami` and the status line.
public enum PermissionState: String, Sendable, Equatable {
    case granted
    case partial
    case declined
    case notRequested = "not requested"
    case unavailable
    /// The last attempt ended without an answer (cancelled, timed out).
    case unfinished = "not granted (last attempt unfinished)"

    public static func of(_ service: Service, user: User, latest: [Service: PermissionStatus]) -> PermissionState {
        if user.isGranted(service) { return .granted }
        if GoogleScopes.coverage(of: service, in: GoogleScopes.parse(user.grantedScopes)) == .some { return .partial }
        switch latest[service] {
        case .partial?: return .partial
        case .denied?: return .declined
        case .unavailable?: return .unavailable
        case .failed?, .requested?: return .unfinished
        case .granted?, nil: return .notRequested
        }
    }
}

/// Signing out: revoke at the provider, then forget the tokens whatever it answered.
public enum SignOut {
    public struct Result: Sendable, Equatable {
        /// Nil when revocation succeeded.
        public var revocationProblem: String?
    }

    public static func run(user: User, database: AppDatabase, vault: TokenVault, client: TokenClient) async throws -> Result {
        var problem: String?
        if let tokens = try? database.tokens(for: user.id!, vault: vault) {
            // Revoking the refresh token revokes the whole grant, access tokens included.
            do {
                try await client.revoke(token: tokens.refreshToken ?? tokens.accessToken)
            } catch {
                problem = "\(error)"
            }
        }
        try database.deleteTokens(for: user.id!)
        return Result(revocationProblem: problem)
    }
}
