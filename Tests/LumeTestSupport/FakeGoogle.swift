import Foundation
import LumeKit

/// Our own stand-in for Google's OAuth endpoints on 127.0.0.1, speaking the protocol as
/// Google documents it: an authorization endpoint that consents, denies or grants a subset
/// of scopes by redirecting to the loopback URI; a token endpoint that checks client
/// credentials, single-use codes, the byte-identical redirect URI and PKCE; refresh,
/// revocation and userinfo. Google's APIs (Gmail, Calendar, …) are added by later fakes.
public final class FakeGoogle: @unchecked Sendable {
    public static let clientID = "1234-test.apps.googleusercontent.com"
    public static let clientSecret = "GOCSPX-test-secret"

    /// How the consent screen answers.
    public enum Consent: Sendable, Equatable {
        case approve
        case deny
        /// The user unticks boxes: only these of the requested Stage 2 scopes are granted.
        case grantOnly(Set<String>)
    }

    public struct Account: Sendable {
        public var sub = "110248495921238986420"
        public var email = "ada@example.com"
        public var name = "Ada Lovelace"
        public var picture = "https://lh3.googleusercontent.com/a/ada"
        public init() {}
    }

    private struct CodeGrant {
        let redirectURI: String
        let challenge: String
        let scopes: Set<String>
        let nonce: String?
        let consentShown: Bool
        var used = false
    }

    private struct AccessGrant {
        let scopes: Set<String>
        let expires: Date
        var revoked = false
    }

    private let lock = NSLock()
    private var server: TestHTTPServer!

    // Behaviour, set by tests.
    private var _consent = Consent.approve
    private var _keepUnavailable = false
    private var _account = Account()
    private var _accessTokenLifetime = 3600
    private var _failRefresh = false

    // What happened, read by tests.
    private var codes: [String: CodeGrant] = [:]
    private var refreshTokens: [String: (scopes: Set<String>, revoked: Bool)] = [:]
    private var accessTokens: [String: AccessGrant] = [:]
    private var grantedScopes: Set<String> = []
    private var _requests: [TestHTTPRequest] = []
    private var _exchanges = 0
    private var _refreshes = 0
    private var _revocations: [String] = []
    private var issuedSecrets: [String] = []
    private var tokenFailures: (status: Int, remaining: Int, retryAfter: String?) = (0, 0, nil)

    public var extraRoutes: (@Sendable (TestHTTPRequest) -> TestHTTPResponse?)?

    public init() throws {
        server = try TestHTTPServer { [unowned self] request in handle(request) }
    }

    public var baseURL: String { server.baseURL }
    public var port: Int { server.port }

    public func stop() { server.stop() }

    public var consent: Consent {
        get { lock.withLock { _consent } }
        set { lock.withLock { _consent = newValue } }
    }
    /// Keep is a Workspace-only API: consumer accounts get `invalid_scope`.
    public var keepUnavailable: Bool {
        get { lock.withLock { _keepUnavailable } }
        set { lock.withLock { _keepUnavailable = newValue } }
    }
    public var account: Account {
        get { lock.withLock { _account } }
        set { lock.withLock { _account = newValue } }
    }
    public var accessTokenLifetime: Int {
        get { lock.withLock { _accessTokenLifetime } }
        set { lock.withLock { _accessTokenLifetime = newValue } }
    }
    /// Refresh answers `invalid_grant` (revoked, expired Testing-mode grant…).
    public var failRefresh: Bool {
        get { lock.withLock { _failRefresh } }
        set { lock.withLock { _failRefresh = newValue } }
    }

    /// The token endpoint answers `status` (with `Retry-After` if given) the next `times`
    /// requests, as when Google limits or has trouble.
    public func failTokenEndpoint(status: Int, times: Int, retryAfter: String? = nil) {
        lock.withLock { tokenFailures = (status, times, retryAfter) }
    }

    public var requests: [TestHTTPRequest] { lock.withLock { _requests } }
    public var exchanges: Int { lock.withLock { _exchanges } }
    public var refreshes: Int { lock.withLock { _refreshes } }
    public var revocations: [String] { lock.withLock { _revocations } }
    /// Every token and code handed out: tests check none of them leaks.
    public var secrets: [String] { lock.withLock { issuedSecrets } }
    public var authorizationRequests: [TestHTTPRequest] { requests.filter { $0.path == "/o/oauth2/v2/auth" } }

    /// Whether an access token is valid for a scope (used by the API fakes).
    public func accessTokenAllows(_ token: String?, scope: String) -> Bool? {
        lock.withLock {
            guard let token, let grant = accessTokens[token], !grant.revoked, grant.expires > Date() else { return nil }
            return grant.scopes.contains(scope)
        }
    }

    /// Tokens for an account that already consented to `scopes`, without the browser
    /// round trip: for tests about what happens after sign-in.
    public func issueTokens(scopes: Set<String>) -> Tokens {
        lock.withLock {
            grantedScopes = scopes
            let fields = issueAccessToken(scopes: scopes)
            let refresh = "1//0fake-refresh-" + UUID().uuidString
            issuedSecrets.append(refresh)
            refreshTokens[refresh] = (scopes, false)
            return Tokens(accessToken: fields["access_token"]!.stringValue!, refreshToken: refresh,
                          expiresAt: Date().addingTimeInterval(TimeInterval(_accessTokenLifetime)), scopes: GoogleScopes.join(scopes))
        }
    }

    /// Makes Google forget an access token early (as after a password change), so the
    /// next API call with it gets 401.
    public func expire(accessToken: String) {
        lock.withLock { accessTokens[accessToken] = nil }
    }

    /// The `[google]` section pointing lume-tui at this fake.
    public var configSection: String {
        """
        [google]
        client_id = "\(Self.clientID)"
        client_secret = "\(Self.clientSecret)"
        issuer = "https://accounts.google.com"
        authorization_endpoint = "\(baseURL)/o/oauth2/v2/auth"
        token_endpoint = "\(baseURL)/token"
        revocation_endpoint = "\(baseURL)/revoke"
        userinfo_endpoint = "\(baseURL)/v1/userinfo"

        """
    }

    private func handle(_ request: TestHTTPRequest) -> TestHTTPResponse {
        lock.withLock { _requests.append(request) }
        switch (request.method, request.path) {
        case ("GET", "/o/oauth2/v2/auth"): return authorize(request)
        case ("POST", "/token"): return token(request)
        case ("POST", "/revoke"): return revoke(request)
        case ("GET", "/v1/userinfo"): return userinfo(request)
        default:
            if let response = extraRoutes?(request) { return response }
            return .json(404, .object(["error": .object(["code": .number(404), "message": .string("Not Found")])]))
        }
    }

    private func authorize(_ request: TestHTTPRequest) -> TestHTTPResponse {
        let query = request.query
        guard query["client_id"] == Self.clientID else { return .text(400, "Error 401: invalid_client") }
        guard let redirect = query["redirect_uri"], redirect.hasPrefix("http://127.0.0.1:") else {
            return .text(400, "Error 400: redirect_uri_mismatch")
        }
        guard query["response_type"] == "code", query["code_challenge_method"] == "S256",
              let challenge = query["code_challenge"], let state = query["state"] else {
            return .text(400, "Error 400: invalid_request")
        }
        func back(_ fields: [(String, String)]) -> TestHTTPResponse {
            .redirect(FormEncoding.url(redirect, fields + [("state", state)]))
        }
        let requested = GoogleScopes.parse(query["scope"] ?? "")
        return lock.withLock {
            if _keepUnavailable && requested.contains(GoogleScopes.scopes(for: .keep)[0]) {
                return back([("error", "invalid_scope")])
            }
            var granted: Set<String>
            switch _consent {
            case .deny:
                return back([("error", "access_denied")])
            case .approve:
                granted = requested
            case let .grantOnly(allowed):
                granted = requested.filter { GoogleScopes.identity.contains($0) || allowed.contains($0) }
            }
            if query["include_granted_scopes"] == "true" { granted.formUnion(grantedScopes) }
            let code = "4/0fake-code-" + UUID().uuidString
            issuedSecrets.append(code)
            codes[code] = CodeGrant(redirectURI: redirect, challenge: challenge, scopes: granted, nonce: query["nonce"],
                                    consentShown: query["prompt"] == "consent" || refreshTokens.isEmpty)
            return back([("code", code), ("scope", GoogleScopes.join(granted))])
        }
    }

    private func token(_ request: TestHTTPRequest) -> TestHTTPResponse {
        let failure: (status: Int, retryAfter: String?)? = lock.withLock {
            guard tokenFailures.remaining > 0 else { return nil }
            tokenFailures.remaining -= 1
            return (tokenFailures.status, tokenFailures.retryAfter)
        }
        if let failure {
            let code = failure.status == 429 ? "rate_limit_exceeded" : "internal_failure"
            return .json(failure.status, .object(["error": .string(code)]),
                         headers: failure.retryAfter.map { [HTTPHeader("Retry-After", $0)] } ?? [])
        }
        let form = request.form
        guard form["client_id"] == Self.clientID, form["client_secret"] == Self.clientSecret else {
            return .json(401, .object(["error": .string("invalid_client"), "error_description": .string("The OAuth client was not found.")]))
        }
        switch form["grant_type"] {
        case "authorization_code":
            return lock.withLock {
                _exchanges += 1
                guard let code = form["code"], var grant = codes[code] else { return invalidGrant("Malformed auth code.") }
                guard !grant.used else { return invalidGrant("Code was already redeemed.") }
                grant.used = true
                codes[code] = grant
                guard form["redirect_uri"] == grant.redirectURI else { return invalidGrant("redirect_uri_mismatch") }
                guard let verifier = form["code_verifier"], PKCE.challenge(for: verifier) == grant.challenge else {
                    return invalidGrant("Invalid code verifier.")
                }
                grantedScopes = grant.scopes
                var fields = issueAccessToken(scopes: grant.scopes)
                if grant.consentShown {
                    let refresh = "1//0fake-refresh-" + UUID().uuidString
                    issuedSecrets.append(refresh)
                    refreshTokens[refresh] = (grant.scopes, false)
                    fields["refresh_token"] = .string(refresh)
                }
                if grant.scopes.contains("openid") { fields["id_token"] = .string(idToken(nonce: grant.nonce)) }
                return .json(200, .object(fields))
            }
        case "refresh_token":
            return lock.withLock {
                _refreshes += 1
                guard !_failRefresh, let token = form["refresh_token"], let grant = refreshTokens[token], !grant.revoked else {
                    return invalidGrant("Token has been expired or revoked.")
                }
                guard form["scope"] == nil else { return .json(400, .object(["error": .string("invalid_scope")])) }
                return .json(200, .object(issueAccessToken(scopes: grant.scopes)))
            }
        default:
            return .json(400, .object(["error": .string("unsupported_grant_type")]))
        }
    }

    private func issueAccessToken(scopes: Set<String>) -> [String: JSONValue] {
        let token = "ya29.fake-access-" + UUID().uuidString
        issuedSecrets.append(token)
        accessTokens[token] = AccessGrant(scopes: scopes, expires: Date().addingTimeInterval(TimeInterval(_accessTokenLifetime)))
        return [
            "access_token": .string(token), "expires_in": .number(Double(_accessTokenLifetime)),
            "scope": .string(GoogleScopes.join(scopes)), "token_type": .string("Bearer"),
        ]
    }

    private func idToken(nonce: String?) -> String {
        let now = Date().timeIntervalSince1970
        var claims: [String: JSONValue] = [
            "iss": .string("https://accounts.google.com"), "aud": .string(Self.clientID), "azp": .string(Self.clientID),
            "sub": .string(_account.sub), "email": .string(_account.email), "email_verified": .bool(true),
            "name": .string(_account.name), "picture": .string(_account.picture),
            "iat": .number(now.rounded()), "exp": .number((now + 3600).rounded()),
        ]
        if let nonce { claims["nonce"] = .string(nonce) }
        let header = Base64URL.encode(Array(#"{"alg":"RS256","kid":"fake","typ":"JWT"}"#.utf8))
        return header + "." + Base64URL.encode(Array(JSONValue.object(claims).text.utf8)) + ".ZmFrZS1zaWduYXR1cmU"
    }

    private func invalidGrant(_ description: String) -> TestHTTPResponse {
        .json(400, .object(["error": .string("invalid_grant"), "error_description": .string(description)]))
    }

    private func revoke(_ request: TestHTTPRequest) -> TestHTTPResponse {
        guard let token = request.form["token"] else { return .json(400, .object(["error": .string("invalid_request")])) }
        return lock.withLock {
            _revocations.append(token)
            if refreshTokens[token] != nil {
                refreshTokens[token]!.revoked = true
                for key in accessTokens.keys { accessTokens[key]!.revoked = true }
                grantedScopes = []
                return .json(200, .object([:]))
            }
            if accessTokens[token] != nil {
                accessTokens[token]!.revoked = true
                return .json(200, .object([:]))
            }
            return .json(400, .object(["error": .string("invalid_token")]))
        }
    }

    private func userinfo(_ request: TestHTTPRequest) -> TestHTTPResponse {
        guard accessTokenAllows(request.bearerToken, scope: "openid") != nil else {
            return .json(401, .object(["error": .string("invalid_token")]))
        }
        let account = self.account
        return .json(200, .object([
            "sub": .string(account.sub), "email": .string(account.email), "email_verified": .bool(true),
            "name": .string(account.name), "picture": .string(account.picture),
        ]))
    }
}
