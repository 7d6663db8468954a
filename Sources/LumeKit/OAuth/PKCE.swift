/// Proof Key for Code Exchange (RFC 7636) with the S256 method.
public struct PKCE: Sendable, Equatable {
    /// 32 random bytes, base64url: 43 characters.
    public let verifier: String
    /// base64url(SHA-256(verifier)).
    public let challenge: String

    public init(verifier: String) {
        self.verifier = verifier
        challenge = Self.challenge(for: verifier)
    }

    public static func generate() throws -> PKCE {
        PKCE(verifier: try SecureRandom.token(bytes: 32))
    }

    public static func challenge(for verifier: String) -> String {
        Base64URL.encode(SHA256Digest.hash(Array(verifier.utf8)))
    }
}
