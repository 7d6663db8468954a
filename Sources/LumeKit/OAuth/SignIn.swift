import Foundation
import Logging

/// Which stage of sign-in an attempt is.
public enum SignInStage: Sendable, Equatable {
    /// Stage 1: who the user is (openid, email, profile) and their contacts.
    case identity
    /// Stage 2: one or more services' scopes, added to what the account already granted.
    /// Keep is always asked for on its own (see `SignIn.attempts`).
    case services([Service])

    var number: Int { self == .identity ? 1 : 2 }

    var callbackPath: String { self == .identity ? "/oauth/callback" : "/oauth/service-callback" }

    /// The services a Stage 2 attempt asks for (none for Stage 1).
    public var requestedServices: [Service] {
        if case let .services(services) = self { return services }
        return []
    }
}

/// What the user needs to complete an attempt in their browser.
public struct SignInPrompt: Sendable, Equatable {
    public let url: String
    public let redirectURI: String
    public let port: Int
    public let expiresAt: Date
    public let browser: BrowserLaunch

    public init(url: String, redirectURI: String, port: Int, expiresAt: Date, browser: BrowserLaunch) {
        self.url = url
        self.redirectURI = redirectURI
        self.port = port
        self.expiresAt = expiresAt
        self.browser = browser
    }

    /// For a remote machine: forward the port, then open the URL locally.
    public var sshHint: String { "ssh -L \(port):127.0.0.1:\(port) <this machine>" }
}

/// How an attempt ended, per service.
public struct SignInReport: Sendable, Equatable {
    public let user: User
    public let stage: SignInStage
    /// Stage 2: each requested service's outcome. Stage 1: the services the account
    /// already had granted (a returning user's earlier grants).
    public let outcomes: [Service: PermissionStatus]
    public let grantedScopes: Set<String>

    public init(user: User, stage: SignInStage, outcomes: [Service: PermissionStatus], grantedScopes: Set<String>) {
        self.user = user
        self.stage = stage
        self.outcomes = outcomes
        self.grantedScopes = grantedScopes
    }
}

/// Why an attempt failed, in words a user can act on.
public enum SignInError: Error, Equatable, CustomStringConvertible {
    case notConfigured(configFile: String)
    case notSignedIn
    case declined
    case timedOut(seconds: Int)
    case cancelled
    case provider(code: String, description: String?)
    case malformedCallback(String)
    case stateExpired
    case exchange(OAuthError)
    case network(HTTPError)
    case idToken(IDToken.Problem)
    case wrongAccount(expected: String, got: String)
    case listener(LoopbackListener.Failure)
    case storage(String)

    public var description: String {
        switch self {
        case let .notConfigured(file):
            return """
                no Google OAuth client is configured. Create an OAuth client of type "Desktop app" in the \
                Google Cloud console and put its client_id and client_secret under [google] in \(file) \
                (or set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET); the README's "Setting up Google sign-in" \
                has the steps
                """
        case .notSignedIn: return "not signed in: run `lume-tui login` first"
        case .declined: return "consent was declined in the browser; nothing was granted"
        case let .timedOut(seconds): return "no answer from the browser within \(seconds) s; the sign-in was abandoned (`[oauth] timeout` sets the limit)"
        case .cancelled: return "sign-in cancelled"
        case let .provider(code, description): return "the sign-in page answered with an error: \(code)\(description.map { " (\($0))" } ?? "")"
        case let .malformedCallback(detail): return "the browser came back with an unusable answer: \(detail)"
        case .stateExpired: return "this sign-in attempt expired or was already used; start again"
        case let .exchange(error): return "signing in failed: \(error)"
        case let .network(error): return "signing in failed: \(error)"
        case let .idToken(problem): return "signing in failed: \(problem)"
        case let .wrongAccount(expected, got):
            return "the browser signed in as \(got), but lume-tui is signed in as \(expected); choose \(expected) in the browser, or `lume-tui logout` first"
        case let .listener(failure): return "\(failure)"
        case let .storage(detail): return "signing in worked, but saving it failed: \(detail)"
        }
    }
}

/// Starts sign-in attempts.
public struct SignIn: Sendable {
    public let config: Config
    public let configFile: String
    public let database: AppDatabase
    public let vault: TokenVault
    public let tokens: TokenClient
    public let launcher: BrowserLauncher
    public let logger: Logger

    public init(config: Config, configFile: String, database: AppDatabase, vault: TokenVault, http: HTTPClient,
                environment: [String: String], logger: Logger) {
        self.config = config
        self.configFile = configFile
        self.database = database
        self.vault = vault
        tokens = TokenClient(http: http, google: config.google)
        launcher = BrowserLauncher(configuredCommand: config.oauth.browser, environment: environment)
        self.logger = logger
    }

    /// The attempts needed to grant `services`: Keep on its own, since consumer accounts get
    /// `invalid_scope` for it, which must not sink the other services.
    public static func attempts(for services: [Service]) -> [[Service]] {
        let unique = Service.allCases.filter(services.contains)
        let others = unique.filter { $0 != .keep }
        return (others.isEmpty ? [] : [others]) + (unique.contains(.keep) ? [[.keep]] : [])
    }

    /// Prepares an attempt: the listener is bound and its state stored before the browser
    /// opens (when `openBrowser`; the URL is in the prompt either way).
    public func begin(_ stage: SignInStage, openBrowser: Bool, now: Date = Date()) async throws -> SignInAttempt {
        guard !config.google.clientID.isEmpty else { throw SignInError.notConfigured(configFile: configFile) }
        var account: (user: User, tokens: Tokens)?
        let current = try database.signedInUser()
        let held = try current.flatMap { try database.tokens(for: $0.id!, vault: vault) }
        if stage != .identity {
            guard let current, let held else { throw SignInError.notSignedIn }
            account = (current, held)
        }
        let listener: LoopbackListener
        do {
            listener = try LoopbackListener(host: config.oauth.host, port: config.oauth.port)
        } catch let failure as LoopbackListener.Failure {
            throw SignInError.listener(failure)
        }
        let redirectURI = listener.redirectURI(path: stage.callbackPath)
        let pkce = try PKCE.generate()
        let state = OAuthState(
            state: try SecureRandom.token(bytes: 32), codeVerifier: pkce.verifier, nonce: try SecureRandom.token(bytes: 16),
            stage: stage.number, services: stage.requestedServices, redirectURI: redirectURI, createdAt: now,
            expiresAt: now.addingTimeInterval(TimeInterval(config.oauth.timeout)))
        _ = try database.insertState(state)
        try? database.pruneStates(expiredBefore: now.addingTimeInterval(-30 * 86400))
        var requestIDs: [Service: Int64] = [:]
        if let account {
            for service in stage.requestedServices {
                requestIDs[service] = try database.recordPermissionRequest(userID: account.user.id!, service: service, now: now).id
            }
        }
        var scopes = GoogleScopes.identity
        if let account {
            scopes += GoogleScopes.parse(account.tokens.scopes)
            scopes += stage.requestedServices.flatMap(GoogleScopes.scopes)
        }
        let request = AuthorizationRequest(
            endpoint: config.google.authorizationEndpoint, clientID: config.google.clientID, redirectURI: redirectURI,
            scopes: scopes, state: state.state, nonce: state.nonce, codeChallenge: pkce.challenge,
            // Consent again only without a usable refresh token: each forced consent mints a
            // new one, and Google drops the oldest past about a hundred per client.
            forceConsent: held?.refreshToken == nil, loginHint: current?.email,
            includeGrantedScopes: account != nil)
        let browser = openBrowser ? launcher.open(request.url) : .notRequested
        logger.info("sign-in attempt started", metadata: [
            "stage": "\(stage.number)", "services": "\(stage.requestedServices.map(\.rawValue))", "port": "\(listener.port)",
            "browser": "\(browser)",
        ])
        let prompt = SignInPrompt(url: request.url, redirectURI: redirectURI, port: listener.port, expiresAt: state.expiresAt, browser: browser)
        return SignInAttempt(
            signIn: self, stage: stage, listener: listener,
            expectation: CallbackExpectation(host: listener.authority, path: stage.callbackPath, state: state.state),
            prompt: prompt, account: account?.user, requestIDs: requestIDs, authorizationURL: request.url)
    }
}

/// One sign-in attempt in progress: waiting for the browser (or a pasted URL), then the
/// exchange. Cancel it by cancelling the task that awaits `finish`, or with `cancel`.
public final class SignInAttempt: @unchecked Sendable {
    public let stage: SignInStage
    public let prompt: SignInPrompt
    private let signIn: SignIn
    private let listener: LoopbackListener
    private let expectation: CallbackExpectation
    private let account: User?
    private let requestIDs: [Service: Int64]
    private let authorizationURL: String

    init(signIn: SignIn, stage: SignInStage, listener: LoopbackListener, expectation: CallbackExpectation, prompt: SignInPrompt,
         account: User?, requestIDs: [Service: Int64], authorizationURL: String) {
        self.signIn = signIn
        self.stage = stage
        self.listener = listener
        self.expectation = expectation
        self.prompt = prompt
        self.account = account
        self.requestIDs = requestIDs
        self.authorizationURL = authorizationURL
    }

    /// The URL the browser ended on, pasted on a machine without a browser; checked exactly
    /// like a request to the listener. A wrong one leaves the attempt waiting.
    @discardableResult
    public func submit(pastedURL: String) -> Result<Void, CallbackRequest.PastedURLProblem> {
        switch CallbackRequest.evaluate(pastedURL: pastedURL, expecting: expectation) {
        case let .success(outcome):
            listener.finish(with: outcome)
            return .success(())
        case let .failure(problem):
            return .failure(problem)
        }
    }

    /// Opens the sign-in page again (the user closed the tab).
    public func reopenBrowser() -> BrowserLaunch { signIn.launcher.open(authorizationURL) }

    public func cancel() { listener.stop() }

    /// Waits for the browser, exchanges the code once, checks the ID token, and stores the
    /// user, the sealed tokens and each service's outcome.
    public func finish(now: @escaping @Sendable () -> Date = Date.init) async throws -> SignInReport {
        let remaining = max(1, prompt.expiresAt.timeIntervalSince(now()))
        let result = await listener.waitForCallback(expecting: expectation, timeout: remaining)
        do {
            switch result {
            case .timedOut:
                throw SignInError.timedOut(seconds: signIn.config.oauth.timeout)
            case .stopped:
                throw SignInError.cancelled
            case let .outcome(.malformed(detail)):
                throw SignInError.malformedCallback(detail)
            case let .outcome(.error(code, description)):
                if code == "invalid_scope" && stage == .services([.keep]), let account {
                    // Google offers the Keep API to Workspace accounts only: a normal state.
                    resolve(.unavailable, now: now())
                    return SignInReport(user: account, stage: stage, outcomes: [.keep: .unavailable],
                                        grantedScopes: GoogleScopes.parse(try signIn.database.tokens(for: account.id!, vault: signIn.vault)?.scopes ?? ""))
                }
                if code == "access_denied" {
                    resolve(.denied, now: now())
                    throw SignInError.declined
                }
                throw SignInError.provider(code: code, description: description)
            case let .outcome(.code(code)):
                return try await complete(code: code, now: now)
            }
        } catch {
            resolve(.failed, now: now(), onlyIfUnresolved: true)
            signIn.logger.notice("sign-in attempt ended without success", metadata: ["reason": "\(error)"])
            throw error
        }
    }

    private var resolved = false

    private func resolve(_ status: PermissionStatus, now: Date, onlyIfUnresolved: Bool = false) {
        if onlyIfUnresolved && resolved { return }
        resolved = true
        for id in requestIDs.values { try? signIn.database.resolvePermissionRequest(id: id, status: status, now: now) }
    }

    private func complete(code: String, now: @Sendable () -> Date) async throws -> SignInReport {
        let database = signIn.database
        // The stored attempt is consumed (and its verifier erased) before the exchange: a
        // second callback for the same state can never exchange again.
        guard let state = try database.consumeState(expectation.state, now: now()) else { throw SignInError.stateExpired }
        let response: TokenResponse
        do {
            response = try await signIn.tokens.exchange(code: code, verifier: state.codeVerifier, redirectURI: state.redirectURI)
        } catch let error as OAuthError {
            throw SignInError.exchange(error)
        } catch let error as HTTPError {
            throw SignInError.network(error)
        }
        let google = signIn.config.google
        var subject: String?
        var claims: IDToken?
        if let idToken = response.idToken {
            do {
                let token = try IDToken.decode(idToken)
                try token.validate(issuer: google.issuer, clientID: google.clientID, nonce: state.nonce, now: now())
                subject = token.subject
                claims = token
            } catch let problem as IDToken.Problem {
                throw SignInError.idToken(problem)
            }
        } else if stage == .identity {
            throw SignInError.idToken(.malformed)
        }
        let profile: UserInfo
        do {
            profile = try await signIn.tokens.userInfo(accessToken: response.accessToken)
        } catch let error as OAuthError {
            throw SignInError.exchange(error)
        } catch let error as HTTPError {
            throw SignInError.network(error)
        }
        // Accounts are keyed on `sub`, never on the email address.
        let sub = subject ?? profile.sub
        guard profile.sub == sub else { throw SignInError.idToken(.wrongAudience) }
        if let account, account.sub != sub {
            throw SignInError.wrongAccount(expected: account.email, got: profile.email.isEmpty ? (claims?.email ?? sub) : profile.email)
        }

        let requested = GoogleScopes.identity + stage.requestedServices.flatMap(GoogleScopes.scopes)
        let granted = GoogleScopes.parse(response.scope ?? GoogleScopes.join(requested))
        do {
            var user = try database.upsertUser(
                sub: sub, email: profile.email.isEmpty ? (claims?.email ?? "") : profile.email,
                name: profile.name.isEmpty ? (claims?.name ?? "") : profile.name,
                pictureURL: profile.picture ?? claims?.picture, now: now())
            user.grantedScopes = GoogleScopes.join(granted)
            for service in Service.allCases {
                user.setGranted(service, GoogleScopes.coverage(of: service, in: granted) == .all)
            }
            try database.saveUser(user)
            let expires = now().addingTimeInterval(TimeInterval(response.expiresIn ?? 3600))
            try database.storeTokens(
                Tokens(accessToken: response.accessToken, refreshToken: response.refreshToken, expiresAt: expires, scopes: user.grantedScopes),
                for: user.id!, vault: signIn.vault, now: now())
            var outcomes: [Service: PermissionStatus] = [:]
            if stage == .identity {
                for service in Service.allCases where user.isGranted(service) { outcomes[service] = .granted }
            } else {
                for service in stage.requestedServices {
                    let status: PermissionStatus = switch GoogleScopes.coverage(of: service, in: granted) {
                    case .all: .granted
                    case .some: .partial
                    case .none: .denied
                    }
                    outcomes[service] = status
                    if let id = requestIDs[service] { try database.resolvePermissionRequest(id: id, status: status, now: now()) }
                }
                resolved = true
            }
            signIn.logger.info("signed in", metadata: [
                "stage": "\(stage.number)", "outcomes": "\(outcomes.map { "\($0.key.rawValue)=\($0.value.rawValue)" }.sorted())",
            ])
            return SignInReport(user: user, stage: stage, outcomes: outcomes, grantedScopes: granted)
        } catch let error as SignInError {
            throw error
        } catch {
            throw SignInError.storage("\(error)")
        }
    }
}
