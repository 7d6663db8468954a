/// The URL the browser opens to ask Google (or any OpenID Connect provider) for consent.
public struct AuthorizationRequest: Sendable, Equatable {
    public var endpoint: String
    public var clientID: String
    public var redirectURI: String
    public var scopes: [String]
    public var state: String
    public var nonce: String
    public var codeChallenge: String
    /// Ask for the consent screen again: only when no usable refresh token is stored, since
    /// Google then issues a new one and silently drops the oldest beyond ~100 per client.
    public var forceConsent: Bool
    /// Stage 2 and re-authentication: the account to preselect.
    public var loginHint: String?
    /// Stage 2: keep the scopes already granted in the new token.
    public var includeGrantedScopes: Bool

    public init(
        endpoint: String, clientID: String, redirectURI: String, scopes: [String], state: String, nonce: String,
        codeChallenge: String, forceConsent: Bool, loginHint: String? = nil, includeGrantedScopes: Bool = false
    ) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
        self.nonce = nonce
        self.codeChallenge = codeChallenge
        self.forceConsent = forceConsent
        self.loginHint = loginHint
        self.includeGrantedScopes = includeGrantedScopes
    }

    public var url: String {
        var fields: [(String, String)] = [
            ("response_type", "code"),
            ("client_id", clientID),
            ("redirect_uri", redirectURI),
            ("scope", GoogleScopes.join(scopes)),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", codeChallenge),
            ("code_challenge_method", "S256"),
            ("access_type", "offline"),
        ]
        if forceConsent { fields.append(("prompt", "consent")) }
        if includeGrantedScopes { fields.append(("include_granted_scopes", "true")) }
        if let loginHint, !loginHint.isEmpty { fields.append(("login_hint", loginHint)) }
        return FormEncoding.url(endpoint, fields)
    }
}
