import COpenSSLCrypto
import Foundation

/// The CSPRNG: OpenSSL's `RAND_bytes`, seeded from the kernel.
public enum SecureRandom {
    public struct Failure: Error {}

    public static func bytes(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else { throw Failure() }
        return bytes
    }

    /// `count` random bytes as unpadded base64url: the shape OAuth wants for state, nonce
    /// and the PKCE verifier.
    public static func token(bytes count: Int) throws -> String {
        Base64URL.encode(try bytes(count))
    }
}

public enum SHA256Digest {
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = bytes.withUnsafeBufferPointer { SHA256($0.baseAddress, $0.count, &digest) }
        return digest
    }
}

/// base64url without padding (RFC 4648 §5), as PKCE, JWTs and Gmail's raw messages use.
public enum Base64URL {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

public enum ConstantTime {
    /// Compares without an early exit, so timing does not reveal how much of a secret matched.
    public static func equals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return x.isEmpty || CRYPTO_memcmp(x, y, x.count) == 0
    }
}
