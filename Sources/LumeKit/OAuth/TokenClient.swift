import Foundation

/// What the token endpoint returned.
public struct TokenResponse: Sendable, Equatable {
    public var accessToken: String
    public var expiresIn: Int?
    public var refreshToken: String?
    /// The scopes actually granted: the truth, whatever was asked for (RFC 6749 §5.1).
    public var scope: String?
    public var idToken: String?
}

extension TokenResponse: CustomStringConvertible {
    /// Never the token values.
    public var description: String { "TokenResponse(scope: \(scope ?? "-"), expiresIn: \(expiresIn.map(String.init) ?? "-"), refresh: \(refreshToken == nil ? "no" : "yes"), idToken: \(idToken == nil ? "no" : "yes"))" }
}

/// The provider's profile of the signed-in user.
public struct UserInfo: Sendable, Equatable {
    public var sub: String
    public var email: String
    public var name: String
    public var picture: String?
}

/// An OAuth endpoint's refusal or an unusable answer.
public enum OAuthError: Error, Equatable, CustomStringConvertible {
    /// The endpoint answered with an OAuth error (`invalid_grant`, `invalid_client`, …).
    case provider(code: String, description: String?, status: Int)
    /// The endpoint answered with something that is not a usable token response.
    case invalidResponse(String)
    /// The endpoint kept answering 429 or 5xx; `until` is when it said to come back, if it did.
    case unavailable(status: Int, until: Date?)

    public var description: String {
        switch self {
        case let .provider(code, description, status):
            return "the sign-in server refused (\(code)\(description.map { ": \($0)" } ?? ""), HTTP \(status))"
        case let .invalidResponse(detail):
            return "the sign-in server's answer is unusable: \(detail)"
        case let .unavailable(status, until):
            let what = status == 429 ? "Google's sign-in server is limiting requests" : "Google's sign-in server had a problem (HTTP \(status))"
            guard let until else { return what + "; try again shortly" }
            return what + "; it asked to wait \(RetryWaits.duration(until.timeIntervalSince(Date()))), so try again after \(LocalTime.current.clock(until))"
        }
    }

    public var code: String? {
        if case let .provider(code, _, _) = self { return code }
        return nil
    }
}

/// The token, revocation and userinfo endpoints, over `HTTPClient`. The token endpoint's
/// 429 and 5xx answers are retried as the APIs' are (`RetryPolicy`).
public struct TokenClient: Sendable {
    public let http: HTTPClient
    public let google: Config.Google
    public let retry: RetryPolicy

    public init(http: HTTPClient, google: Config.Google, retry: RetryPolicy = RetryPolicy()) {
        self.http = http
        self.google = google
        self.retry = retry
    }

    /// Exchanges an authorization code (RFC 6749 §4.1.3 with PKCE): the redirect URI must
    /// be byte-identical to the one in the authorization request.
    public func exchange(code: String, verifier: String, redirectURI: String) async throws -> TokenResponse {
        try await tokenRequest([
            ("grant_type", "authorization_code"),
            ("code", code),
            ("code_verifier", verifier),
            ("redirect_uri", redirectURI),
            ("client_id", google.clientID),
            ("client_secret", google.clientSecret),
        ])
    }

    /// A new access token from a refresh token. No `scope`: the grant keeps its scopes.
    public func refresh(refreshToken: String) async throws -> TokenResponse {
        try await tokenRequest([
            ("grant_type", "refresh_token"),
            ("refresh_token", refreshToken),
            ("client_id", google.clientID),
            ("client_secret", google.clientSecret),
        ])
    }

    /// Revokes a token (RFC 7009). Revoking a refresh token revokes the whole grant.
    public func revoke(token: String) async throws {
        let response = try await http.send(.form(google.revocationEndpoint, [("token", token)]))
        guard (200..<300).contains(response.status) else { throw Self.error(from: response) }
    }

    public func userInfo(accessToken: String) async throws -> UserInfo {
        let response = try await http.send(HTTPRequest(url: google.userinfoEndpoint, headers: [.bearer(accessToken)]))
        guard response.status == 200 else { throw Self.error(from: response) }
        let json = JSONValue.parse(response.text)
        guard let sub = json["sub"]?.stringValue, !sub.isEmpty else {
            throw OAuthError.invalidResponse("the profile has no subject (sub)")
        }
        return UserInfo(
            sub: sub, email: json["email"]?.stringValue ?? "", name: json["name"]?.stringValue ?? "",
            picture: json["picture"]?.stringValue)
    }

    private func tokenRequest(_ fields: [(String, String)]) async throws -> TokenResponse {
        var attempt = 0
        var response: HTTPResponse
        while true {
            attempt += 1
            response = try await http.send(.form(google.tokenEndpoint, fields, headers: [HTTPHeader("Accept", "application/json")]))
            guard response.status == 429 || (500...599).contains(response.status) else { break }
            switch retry.decide(attempt: attempt, retryAfter: response.header("Retry-After"), now: Date()) {
            case let .wait(seconds):
                try await retry.wait(seconds, for: "Google's sign-in server")
            case let .giveUp(until):
                throw OAuthError.unavailable(status: response.status, until: until)
            }
        }
        guard response.status == 200 else { throw Self.error(from: response) }
        let json = JSONValue.parse(response.text)
        guard let accessToken = json["access_token"]?.stringValue, !accessToken.isEmpty else {
            throw OAuthError.invalidResponse("no access_token")
        }
        return TokenResponse(
            accessToken: accessToken,
            expiresIn: json["expires_in"]?.numberValue.map { Int($0) },
            refreshToken: json["refresh_token"]?.stringValue,
            scope: json["scope"]?.stringValue,
            idToken: json["id_token"]?.stringValue)
    }

    static func error(from response: HTTPResponse) -> OAuthError {
        let json = JSONValue.parse(response.text)
        if let code = json["error"]?.stringValue {
            return .provider(code: code, description: json["error_description"]?.stringValue, status: response.status)
        }
        return .invalidResponse("HTTP \(response.status)")
    }
}

/// The claims of an ID token, and the checks OpenID Connect Core §3.1.3.7 asks for.
///
/// The signature is not checked: the token comes straight from the token endpoint over a
/// connection lume-tui opened itself (OIDC Core §3.1.3.7, item 6).
public struct IDToken: Sendable, Equatable {
    public var issuer: String
    public var audience: [String]
    public var authorizedParty: String?
    public var subject: String
    public var expires: Date
    public var issuedAt: Date
    public var nonce: String?
    public var email: String?
    public var name: String?
    public var picture: String?

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case malformed
        case wrongIssuer(String)
        case wrongAudience
        case expired
        case issuedInTheFuture
        case wrongNonce

        public var description: String {
            switch self {
            case .malformed: return "the ID token is not a readable JWT"
            case let .wrongIssuer(issuer): return "the ID token was issued by \(issuer), not the configured issuer"
            case .wrongAudience: return "the ID token is not for this client"
            case .expired: return "the ID token has expired (is the system clock right?)"
            case .issuedInTheFuture: return "the ID token is dated in the future (is the system clock right?)"
            case .wrongNonce: return "the ID token does not belong to this sign-in (nonce mismatch)"
            }
        }
    }

    public static func decode(_ token: String) throws -> IDToken {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(String(parts[1])) else { throw Problem.malformed }
        let json = JSONValue.parse(String(decoding: payload, as: UTF8.self))
        guard let issuer = json["iss"]?.stringValue, let subject = json["sub"]?.stringValue, !subject.isEmpty,
              let exp = json["exp"]?.numberValue, let iat = json["iat"]?.numberValue
        else { throw Problem.malformed }
        let audience: [String]
        if let single = json["aud"]?.stringValue {
            audience = [single]
        } else if let many = json["aud"]?.arrayValue {
            audience = many.compactMap(\.stringValue)
        } else {
            throw Problem.malformed
        }
        return IDToken(
            issuer: issuer, audience: audience, authorizedParty: json["azp"]?.stringValue, subject: subject,
            expires: Date(timeIntervalSince1970: exp), issuedAt: Date(timeIntervalSince1970: iat),
            nonce: json["nonce"]?.stringValue, email: json["email"]?.stringValue, name: json["name"]?.stringValue,
            picture: json["picture"]?.stringValue)
    }

    /// Checks issuer, audience, authorized party, expiry, issue time and nonce.
    /// `clockSkew` tolerates a slightly wrong system clock.
    public func validate(issuer expectedIssuer: String, clientID: String, nonce expectedNonce: String, now: Date, clockSkew: TimeInterval = 300) throws {
        guard Self.sameIssuer(issuer, expectedIssuer) else { throw Problem.wrongIssuer(issuer) }
        guard audience.contains(clientID), authorizedParty == nil || authorizedParty == clientID else { throw Problem.wrongAudience }
        guard expires.addingTimeInterval(clockSkew) > now else { throw Problem.expired }
        guard issuedAt.addingTimeInterval(-clockSkew) <= now else { throw Problem.issuedInTheFuture }
        guard let nonce, ConstantTime.equals(nonce, expectedNonce) else { throw Problem.wrongNonce }
    }

    /// Google issues "https://accounts.google.com" or "accounts.google.com"; both are it.
    static func sameIssuer(_ actual: String, _ expected: String) -> Bool {
        func bare(_ issuer: String) -> String {
            var value = issuer
            if value.hasPrefix("https://") { value.removeFirst(8) }
            while value.hasSuffix("/") { value.removeLast() }
            return value
        }
        return actual == expected || (bare(actual) == bare(expected) && bare(expected) == "accounts.google.com")
    }
}
