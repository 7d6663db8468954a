/// Masks anything shaped like a secret before a log line is written: OAuth parameters and
/// token fields (`code=…`, `"access_token": "…"`), `Bearer …`, Google access (`ya29.…`) and
/// refresh (`1//…`) tokens, OpenAI-style keys (`sk-…`).
///
/// A small byte scanner rather than regular expressions: `NSRegularExpression` is ICU on
/// Linux, and compiling its patterns cost the UI ~1 MB of resident memory for a log line
/// (issue 5's budget). Each rule starts at a word boundary and runs over the whole text in
/// turn, so one rule's replacement is what the next one sees. Non-ASCII bytes count as
/// word boundaries: a redactor errs towards masking.
public enum Redactor {
    public static func redact(_ text: String) -> String {
        var bytes = Array(text.utf8)
        for rule in rules { bytes = apply(rule, to: bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A match starting at `start`: where it ends and what replaces it.
    typealias Rule = @Sendable (_ bytes: [UInt8], _ start: Int) -> (end: Int, replacement: [UInt8])?

    static let rules: [Rule] = [keyValue, bearer, prefixed("ya29.", minimum: 1, allowed: tokenCharacters),
                                prefixed("1//", minimum: 1, allowed: tokenCharacters),
                                prefixed("sk-", minimum: 8, allowed: keyCharacters)]

    private static let redacted = Array("[redacted]".utf8)

    private static func apply(_ rule: Rule, to bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if index == 0 || !isWord(bytes[index - 1]), let match = rule(bytes, index) {
                result += match.replacement
                index = match.end
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    // MARK: Rules

    /// The names whose values are secrets, in the order they are tried (a longer name
    /// before its prefix: `code_verifier` before `code`).
    private static let secretKeys = ["access_token", "refresh_token", "id_token", "client_secret", "code_verifier",
                                     "code", "token", "api_key", "apikey", "password"].map { Array($0.utf8) }

    /// `key=value`, `key: value`, `"key": "value"`: the key and separator stay, the value
    /// (up to a space, quote, `&`, `,` or `}`) goes.
    private static func keyValue(_ bytes: [UInt8], _ start: Int) -> (end: Int, replacement: [UInt8])? {
        for key in secretKeys where matchesIgnoringCase(key, in: bytes, at: start) {
            var index = start + key.count
            if index < bytes.count, isQuote(bytes[index]) { index += 1 }
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") || bytes[index] == UInt8(ascii: "=") else { continue }
            index += 1
            while index < bytes.count, isSpace(bytes[index]) { index += 1 }
            if index < bytes.count, isQuote(bytes[index]) { index += 1 }
            let valueStart = index
            while index < bytes.count, !isSpace(bytes[index]), !isQuote(bytes[index]),
                  !"&,}".utf8.contains(bytes[index]) { index += 1 }
            guard index > valueStart else { continue }
            return (index, Array(bytes[start..<valueStart]) + redacted)
        }
        return nil
    }

    private static let bearerWord = Array("bearer".utf8)

    /// `Bearer <token>` in any case, however spaced, becomes `Bearer [redacted]`.
    private static func bearer(_ bytes: [UInt8], _ start: Int) -> (end: Int, replacement: [UInt8])? {
        guard matchesIgnoringCase(bearerWord, in: bytes, at: start) else { return nil }
        var index = start + bearerWord.count
        let spaces = index
        while index < bytes.count, isSpace(bytes[index]) { index += 1 }
        let tokenStart = index
        while index < bytes.count, isAlphanumeric(bytes[index]) || "._~+/-".utf8.contains(bytes[index]) { index += 1 }
        guard tokenStart > spaces, index > tokenStart else { return nil }
        while index < bytes.count, bytes[index] == UInt8(ascii: "=") { index += 1 }
        return (index, Array("Bearer ".utf8) + redacted)
    }

    /// A fixed prefix followed by at least `minimum` allowed characters.
    private static func prefixed(_ prefix: String, minimum: Int, allowed: @escaping @Sendable (UInt8) -> Bool) -> Rule {
        let prefix = Array(prefix.utf8)
        return { bytes, start in
            guard bytes[start...].starts(with: prefix) else { return nil }
            var index = start + prefix.count
            while index < bytes.count, allowed(bytes[index]) { index += 1 }
            return index - start - prefix.count >= minimum ? (index, redacted) : nil
        }
    }

    // MARK: Characters

    private static let tokenCharacters: @Sendable (UInt8) -> Bool = { isAlphanumeric($0) || "._-".utf8.contains($0) }
    private static let keyCharacters: @Sendable (UInt8) -> Bool = { isAlphanumeric($0) || "_-".utf8.contains($0) }

    private static func matchesIgnoringCase(_ word: [UInt8], in bytes: [UInt8], at start: Int) -> Bool {
        guard bytes.count - start >= word.count else { return false }
        for offset in 0..<word.count where lowercased(bytes[start + offset]) != word[offset] { return false }
        return true
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        let lower = lowercased(byte)
        return (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isWord(_ byte: UInt8) -> Bool { isAlphanumeric(byte) || byte == UInt8(ascii: "_") }
    private static func isQuote(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") }
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (byte >= 9 && byte <= 13) }
}
