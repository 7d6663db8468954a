import COpenSSLCrypto
import Foundation

/// Seals token values with AES-256-GCM under a key kept outside the database.
///
/// The key lives in `token.key` (0600), made on first use, so a copied database file alone
/// reveals no token. Each sealed value is bound (as GCM associated data) to what it is —
/// user and field — so values cannot be swapped between rows unnoticed.
public final class TokenVault: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case keyFile(String)
        case corrupt
        case crypto(String)

        public var description: String {
            switch self {
            case let .keyFile(reason): return "token key: \(reason)"
            case .corrupt: return "stored tokens cannot be opened with this token key (was token.key replaced?); sign in again"
            case let .crypto(what): return "token encryption failed: \(what)"
            }
        }
    }

    private static let version: UInt8 = 1
    private static let nonceLength = 12
    private static let tagLength = 16
    private let key: [UInt8]

    public init(key: [UInt8]) {
        precondition(key.count == 32, "AES-256 needs a 32-byte key")
        self.key = key
    }

    /// Opens the key file at `path`, creating it with 32 random bytes (mode 0600) on first use.
    public static func open(keyFile path: String) throws -> TokenVault {
        if !FileManager.default.fileExists(atPath: path) {
            let fresh = try SecureRandom.bytes(32)
            // Two processes may race here; the loser reads the winner's key below.
            _ = try PrivateFiles.createExclusively(path, contents: Data(fresh))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure.keyFile("cannot read \(path)")
        }
        guard data.count == 32 else {
            throw Failure.keyFile("\(path) is not a 32-byte key (\(data.count) bytes)")
        }
        if let mode = PrivateFiles.mode(of: path), mode & 0o077 != 0 {
            try PrivateFiles.ensureFile(path)  // tighten a key someone loosened
        }
        return TokenVault(key: Array(data))
    }

    /// `version || nonce || ciphertext || tag`
    public func seal(_ plaintext: String, context: String) throws -> Data {
        let nonce = try SecureRandom.bytes(Self.nonceLength)
        let input = Array(plaintext.utf8)
        let aad = Array(context.utf8)
        var output = [UInt8](repeating: 0, count: input.count + 16)
        var tag = [UInt8](repeating: 0, count: Self.tagLength)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw Failure.crypto("no cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var length: Int32 = 0
        var total = 0
        guard EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(Self.nonceLength), nil) == 1,
              EVP_EncryptInit_ex(ctx, nil, nil, key, nonce) == 1,
              EVP_EncryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1,
              EVP_EncryptUpdate(ctx, &output, &length, input, Int32(input.count)) == 1
        else { throw Failure.crypto("encrypt") }
        total = Int(length)
        let finalOK = output.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(ctx, buffer.baseAddress! + total, &length) == 1
        }
        guard finalOK else { throw Failure.crypto("encrypt final") }
        total += Int(length)
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagLength), &tag) == 1 else {
            throw Failure.crypto("tag")
        }
        return Data([Self.version] + nonce + output[0..<total] + tag)
    }

    public func open(_ sealed: Data, context: String) throws -> String {
        let bytes = Array(sealed)
        guard bytes.count >= 1 + Self.nonceLength + Self.tagLength, bytes[0] == Self.version else {
            throw Failure.corrupt
        }
        let nonce = Array(bytes[1...Self.nonceLength])
        let ciphertext = Array(bytes[(1 + Self.nonceLength)..<(bytes.count - Self.tagLength)])
        var tag = Array(bytes[(bytes.count - Self.tagLength)...])
        let aad = Array(context.utf8)
        var output = [UInt8](repeating: 0, count: ciphertext.count + 16)
        guard let ctx = EVP_CIPHER_CTX_new() else { throw Failure.crypto("no cipher context") }
        defer { EVP_CIPHER_CTX_free(ctx) }
        var length: Int32 = 0
        guard EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), nil, nil, nil) == 1,
              EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, Int32(Self.nonceLength), nil) == 1,
              EVP_DecryptInit_ex(ctx, nil, nil, key, nonce) == 1,
              EVP_DecryptUpdate(ctx, nil, &length, aad, Int32(aad.count)) == 1,
              EVP_DecryptUpdate(ctx, &output, &length, ciphertext, Int32(ciphertext.count)) == 1
        else { throw Failure.corrupt }
        let total = Int(length)
        guard EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagLength), &tag) == 1 else {
            throw Failure.corrupt
        }
        let verified = output.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(ctx, buffer.baseAddress! + total, &length) == 1
        }
        guard verified, let text = String(bytes: output[0..<total], encoding: .utf8) else { throw Failure.corrupt }
        return text
    }
}
