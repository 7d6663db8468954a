import Foundation
import Logging
import LumeTestSupport
import Testing
@testable import LumeKit

/// Refreshing access tokens against the fake Google, after a real sign-in through the
/// listener (the stand-in browser follows the redirect).
@Suite struct AccessTokensTests {
    let directory = TemporaryDirectory("lume-tokens")
    let google: FakeGoogle
    let database: AppDatabase
    let vault: TokenVault
    let config: Config

    init() throws {
        google = try FakeGoogle()
        database = try AppDatabase(path: directory.file("lume.sqlite3"))
        vault = try TokenVault.open(keyFile: directory.file("token.key"))
        var config = try ConfigParser.parse(google.configSection, file: "test.toml", environment: [:]).config
        config.oauth.browser = Products.testBrowser
        // Generous: other suites blocking the two cooperative threads can delay this one.
        config.oauth.timeout = 120
        self.config = config
    }

    var client: TokenClient { TokenClient(http: CurlHTTPClient(), google: config.google) }

    func signIn() async throws -> User {
        let signIn = SignIn(config: config, configFile: "test.toml", database: database, vault: vault, http: CurlHTTPClient(),
                            environment: ProcessInfo.processInfo.environment, logger: Logger(label: "test"))
        let attempt = try await signIn.begin(.identity, openBrowser: true)
        #expect(attempt.prompt.browser.opened)
        return try await attempt.finish().user
    }

    @Test func aFreshTokenIsUsedAsIs() async throws {
        let user = try await signIn()
        let tokens = AccessTokens(database: database, vault: vault, client: client, logger: Logger(label: "test"))
        let stored = try #require(try database.tokens(for: user.id!, vault: vault))
        #expect(try await tokens.accessToken(for: user.id!) == stored.accessToken)
        #expect(google.refreshes == 0)
    }

    /// The token endpoint's 429 and 5xx are retried like the APIs' (they used to end as
    /// "the answer is unusable"), and a wait beyond the bound says when to try again.
    @Test func aBusyTokenEndpointIsRetried() async throws {
        let user = try await signIn()
        let later = Date().addingTimeInterval(3600 - 60)
        let patient = TokenClient(http: CurlHTTPClient(), google: config.google,
                                  retry: RetryPolicy(attempts: 3, baseDelay: 0.01, maxDelay: 0.05, longestWait: 5))
        google.failTokenEndpoint(status: 429, times: 2, retryAfter: "0")
        let tokens = AccessTokens(database: database, vault: vault, client: patient, logger: Logger(label: "test"), now: { later })
        #expect(try await !tokens.accessToken(for: user.id!).isEmpty)
        #expect(google.refreshes == 1, "answered on the third try")

        google.failTokenEndpoint(status: 503, times: 10)
        do {
            _ = try await patient.refresh(refreshToken: "1//0whatever")
            Issue.record("should have failed")
        } catch let error as OAuthError {
            #expect(error == .unavailable(status: 503, until: nil))
            #expect(error.description == "Google's sign-in server had a problem (HTTP 503); try again shortly")
        }
        google.failTokenEndpoint(status: 429, times: 10, retryAfter: "900")
        do {
            _ = try await patient.refresh(refreshToken: "1//0whatever")
            Issue.record("should have failed")
        } catch let OAuthError.unavailable(status, until) {
            #expect(status == 429)
            #expect(try #require(until).timeIntervalSinceNow > 890)
        }
    }

    @Test func refreshesShortlyBeforeExpiryOnceForConcurrentCallers() async throws {
        let user = try await signIn()
        let before = try #require(try database.tokens(for: user.id!, vault: vault))
        // An hour later the stored token is about to expire.
        let later = Date().addingTimeInterval(3600 - 60)
        let tokens = AccessTokens(database: database, vault: vault, client: client, logger: Logger(label: "test"), now: { later })
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<5 { group.addTask { try await tokens.accessToken(for: user.id!) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(google.refreshes == 1, "one refresh, shared")
        #expect(Set(results).count == 1)
        #expect(results[0] != before.accessToken)
        let after = try #require(try database.tokens(for: user.id!, vault: vault))
        #expect(after.accessToken == results[0])
        #expect(after.refreshToken == before.refreshToken, "the refresh response had no refresh token: the old one stays")
        let refresh = try #require(google.requests.last { $0.path == "/token" }?.form)
        #expect(refresh["grant_type"] == "refresh_token")
        #expect(refresh["scope"] == nil, "no scopes on refresh")
    }

    @Test func invalidGrantDropsTheTokensAndSaysWhy() async throws {
        let user = try await signIn()
        google.failRefresh = true
        let tokens = AccessTokens(database: database, vault: vault, client: client, logger: Logger(label: "test"))
        do {
            _ = try await tokens.refreshedToken(for: user.id!)
            Issue.record("expected signInAgain")
        } catch let error as AccessTokenError {
            guard case .signInAgain = error else { Issue.record("\(error)"); return }
            #expect(error.description.contains("7 days"))
            #expect(error.description.contains("lume-tui login"))
        }
        #expect(try database.tokens(for: user.id!, vault: vault) == nil)
        #expect(google.refreshes == 1, "no retry loop")
        await #expect(throws: AccessTokenError.notSignedIn) { try await tokens.accessToken(for: user.id!) }
    }

    @Test func signOutRevokesThenForgets() async throws {
        let user = try await signIn()
        let result = try await SignOut.run(user: user, database: database, vault: vault, client: client)
        #expect(result.revocationProblem == nil)
        #expect(google.revocations.count == 1)
        #expect(try database.signedInUser() == nil)
    }

    @Test func theUnreachableProviderIsAPlainError() async throws {
        let closed = ClosedPort()
        var unreachable = config.google
        unreachable.tokenEndpoint = closed.baseURL + "/token"
        let client = TokenClient(http: CurlHTTPClient(), google: unreachable)
        await #expect(throws: HTTPError.self) { try await client.refresh(refreshToken: "1//x") }
        do {
            _ = try await client.refresh(refreshToken: "1//x")
        } catch let error as HTTPError {
            #expect(error.description.contains("cannot connect to 127.0.0.1"))
        }
    }
}

@Suite struct OAuthPiecesTests {
    @Test func pkceMatchesRFC7636AppendixB() {
        let pkce = PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
        #expect(pkce.challenge == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        let fresh = try! PKCE.generate()
        #expect(fresh.verifier.count == 43)
        #expect(fresh.verifier != (try! PKCE.generate()).verifier)
    }

    @Test func scopesAliasesAndCoverage() {
        let granted = GoogleScopes.parse("openid email profile https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send")
        #expect(granted.contains("https://www.googleapis.com/auth/userinfo.email"))
        #expect(granted.contains("https://www.googleapis.com/auth/userinfo.profile"))
        #expect(GoogleScopes.coverage(of: .email, in: granted) == .some)
        #expect(GoogleScopes.coverage(of: .calendar, in: granted) == .none)
        #expect(GoogleScopes.coverage(of: .email, in: granted.union(["https://www.googleapis.com/auth/gmail.modify"])) == .all)
        #expect(SignIn.attempts(for: [.keep, .email, .calendar, .email]) == [[.email, .calendar], [.keep]])
        #expect(SignIn.attempts(for: [.keep]) == [[.keep]])
    }

    @Test func authorizationURLCarriesEveryParameter() throws {
        let request = AuthorizationRequest(
            endpoint: "https://accounts.google.com/o/oauth2/v2/auth", clientID: "id", redirectURI: "http://127.0.0.1:4242/oauth/service-callback",
            scopes: GoogleScopes.identity + GoogleScopes.scopes(for: .tasks), state: "st", nonce: "no", codeChallenge: "ch",
            forceConsent: false, loginHint: "ada@example.com", includeGrantedScopes: true)
        let items = Dictionary(uniqueKeysWithValues: (URLComponents(string: request.url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(items["redirect_uri"] == "http://127.0.0.1:4242/oauth/service-callback")
        #expect(items["scope"]?.hasPrefix("openid ") == true)
        #expect(items["code_challenge_method"] == "S256")
        #expect(items["include_granted_scopes"] == "true")
        #expect(items["login_hint"] == "ada@example.com")
        #expect(items["prompt"] == nil)
        #expect(items["access_type"] == "offline")
    }

    func jwt(_ claims: [String: JSONValue]) -> String {
        "eyJhbGciOiJub25lIn0." + Base64URL.encode(Array(JSONValue.object(claims).text.utf8)) + ".sig"
    }

    @Test func idTokenChecks() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let good: [String: JSONValue] = ["iss": .string("accounts.google.com"), "aud": .string("client"), "azp": .string("client"),
                                         "sub": .string("42"), "exp": .number(1_800_003_600), "iat": .number(1_800_000_000), "nonce": .string("n")]
        let token = try IDToken.decode(jwt(good))
        try token.validate(issuer: "https://accounts.google.com", clientID: "client", nonce: "n", now: now)
        func problem(_ change: (inout [String: JSONValue]) -> Void, nonce: String = "n") -> IDToken.Problem? {
            var claims = good
            change(&claims)
            do {
                try IDToken.decode(jwt(claims)).validate(issuer: "https://accounts.google.com", clientID: "client", nonce: nonce, now: now)
                return nil
            } catch let problem as IDToken.Problem {
                return problem
            } catch {
                return nil
            }
        }
        #expect(problem({ $0["iss"] = .string("https://evil.example") }) == .wrongIssuer("https://evil.example"))
        #expect(problem({ $0["aud"] = .string("other") }) == .wrongAudience)
        #expect(problem({ $0["aud"] = .array([.string("other"), .string("client")]); $0["azp"] = .string("other") }) == .wrongAudience)
        #expect(problem({ $0["exp"] = .number(1_799_990_000) }) == .expired)
        #expect(problem({ $0["iat"] = .number(1_800_090_000) }) == .issuedInTheFuture)
        #expect(problem({ _ in }, nonce: "other") == .wrongNonce)
        #expect(problem({ $0["nonce"] = nil }) == .wrongNonce)
        #expect(problem({ $0["sub"] = nil }) == .malformed)
        #expect(throws: IDToken.Problem.malformed) { try IDToken.decode("not-a-jwt") }
    }
}
