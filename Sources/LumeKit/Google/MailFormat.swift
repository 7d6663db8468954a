import Foundation

/// One mailbox: an address and, optionally, the name shown with it.
public struct MailAddress: Equatable, Sendable, Codable, CustomStringConvertible {
    public var name: String?
    public var email: String

    public init(_ email: String, name: String? = nil) {
        self.email = email
        self.name = name
    }

    /// "Ada Lovelace <ada@example.com>", or the bare address.
    public var description: String {
        guard let name, !name.isEmpty else { return email }
        return "\(name) <\(email)>"
    }

    /// Whether this looks like a deliverable address: one `@`, a dotted domain, and none of
    /// the characters that would let it break out of a header.
    public static func isPlausible(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix(".") else { return false }
        return !email.contains { $0.isWhitespace || "<>,;:\"()[]\\".contains($0) || !$0.isASCII }
    }

    /// Reads a header's address list ("Ada <ada@x.org>, bob@y.org", quoted names allowed).
    public static func parseList(_ header: String) -> [MailAddress] {
        var addresses: [MailAddress] = []
        var current = ""
        var quoted = false
        var angle = false
        for character in header {
            switch character {
            case "\"": quoted.toggle(); current.append(character)
            case "<": angle = true; current.append(character)
            case ">": angle = false; current.append(character)
            case "," where !quoted && !angle:
                if let address = parseOne(current) { addresses.append(address) }
                current = ""
            default: current.append(character)
            }
        }
        if let address = parseOne(current) { addresses.append(address) }
        return addresses
    }

    private static func parseOne(_ text: String) -> MailAddress? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return nil }
        if let open = trimmed.lastIndex(of: "<"), let close = trimmed.lastIndex(of: ">"), open < close {
            let email = String(trimmed[trimmed.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
            var name = String(trimmed[..<open]).trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
            return MailAddress(email, name: name.isEmpty ? nil : MailHeader.decode(name))
        }
        return MailAddress(trimmed)
    }
}

/// An email as the user confirms it before it is sent.
public struct EmailDraft: Equatable, Sendable, Codable {
    public var to: [MailAddress]
    public var cc: [MailAddress]
    public var subject: String
    public var body: String

    public init(to: [MailAddress], cc: [MailAddress] = [], subject: String, body: String) {
        self.to = to
        self.cc = cc
        self.subject = subject
        self.body = body
    }
}

/// Header values as RFC 2047 wants them: ASCII passes, anything else becomes
/// `=?UTF-8?B?…?=` encoded words of at most 75 characters, folded onto continuation lines.
public enum MailHeader {
    /// Removes line breaks so user text can never start a new header.
    public static func singleLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    public static func encode(_ text: String) -> String {
        let value = singleLine(text)
        guard value.unicodeScalars.contains(where: { !$0.isASCII || $0.value < 0x20 }) else { return value }
        // Words of 39 bytes (52 base64 characters, 64 with the "=?UTF-8?B?…?=" frame) keep
        // every line, "Subject: " included, under RFC 2047's 76-character limit.
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in value {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 39 {
                words.append(word(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append(word(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func word(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// A mailbox for an address header: the display name encoded when it needs to be,
    /// quoted when it holds specials.
    public static func encode(_ address: MailAddress) -> String {
        guard let name = address.name.map(singleLine), !name.isEmpty else { return address.email }
        let display: String
        if name.unicodeScalars.contains(where: { !$0.isASCII }) {
            display = encode(name)
        } else if name.contains(where: { "()<>[]:;@\\,.\"".contains($0) }) {
            display = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        } else {
            display = name
        }
        return "\(display) <\(address.email)>"
    }

    /// Decodes RFC 2047 encoded words (B and Q, UTF-8 and Latin-1); other text passes as is.
    public static func decode(_ text: String) -> String {
        guard text.contains("=?") else { return text }
        var result = ""
        var rest = Substring(text)
        var previousWasWord = false
        while let start = rest.range(of: "=?") {
            let before = rest[..<start.lowerBound]
            let afterStart = rest[start.upperBound...]
            let pieces = afterStart.split(separator: "?", maxSplits: 3, omittingEmptySubsequences: false)
            guard pieces.count == 4, pieces[3].hasPrefix("="),
                  let decoded = decodeWord(charset: pieces[0], encoding: pieces[1], payload: pieces[2]) else {
                result += before + "=?"
                rest = afterStart
                previousWasWord = false
                continue
            }
            // Whitespace between two adjacent encoded words is not part of the text.
            if !(previousWasWord && before.allSatisfy(\.isWhitespace)) { result += before }
            result += decoded
            rest = pieces[3].dropFirst()
            previousWasWord = true
        }
        return result + rest
    }

    private static func decodeWord(charset: Substring, encoding: Substring, payload: Substring) -> String? {
        let bytes: [UInt8]
        switch encoding.uppercased() {
        case "B":
            guard let data = Data(base64Encoded: String(payload)) else { return nil }
            bytes = Array(data)
        case "Q":
            var out: [UInt8] = []
            var iterator = payload.utf8.makeIterator()
            while let byte = iterator.next() {
                if byte == UInt8(ascii: "_") { out.append(0x20) }
                else if byte == UInt8(ascii: "="), let high = iterator.next(), let low = iterator.next(),
                        let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) { out.append(value) }
                else { out.append(byte) }
            }
            bytes = out
        default:
            return nil
        }
        switch charset.lowercased() {
        case "utf-8", "us-ascii": return String(validating: bytes, as: UTF8.self)
        case "iso-8859-1", "latin1": return String(bytes.map { Character(Unicode.Scalar($0)) })
        default: return String(validating: bytes, as: UTF8.self)
        }
    }
}

/// Builds the RFC 2822 message Gmail's `messages.send` takes: CRLF line ends, UTF-8 body
/// in base64 (so any text and any line length survive), headers encoded per RFC 2047.
public enum MailComposer {
    public static func compose(_ draft: EmailDraft, from: MailAddress?, date: Date = Date(), messageID: String? = nil) -> String {
        var headers: [String] = []
        if let from { headers.append("From: " + MailHeader.encode(from)) }
        headers.append(addressHeader("To", draft.to))
        if !draft.cc.isEmpty { headers.append(addressHeader("Cc", draft.cc)) }
        headers.append("Subject: " + MailHeader.encode(draft.subject))
        headers.append("Date: " + rfc2822Date(date))
        if let messageID { headers.append("Message-ID: " + messageID) }
        headers.append("MIME-Version: 1.0")
        headers.append("Content-Type: text/plain; charset=\"UTF-8\"")
        headers.append("Content-Transfer-Encoding: base64")
        let body = canonicalLines(draft.body)
        let encoded = Data(body.utf8).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded + "\r\n"
    }

    /// "To: a, b": folded between addresses so lines stay within RFC 5322's 78 characters.
    static func addressHeader(_ name: String, _ addresses: [MailAddress]) -> String {
        var text = name + ":"
        var lineLength = text.count
        for (index, address) in addresses.enumerated() {
            let item = MailHeader.encode(address) + (index < addresses.count - 1 ? "," : "")
            let firstLine = item.components(separatedBy: "\r\n").first ?? item
            if lineLength + 1 + firstLine.count > 78 && index > 0 {
                text += "\r\n " + item
            } else {
                text += " " + item
            }
            lineLength = (text.components(separatedBy: "\r\n").last ?? text).count
        }
        return text
    }

    /// Text with every line ending as CRLF, as MIME's canonical form of text requires.
    static func canonicalLines(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// "Fri, 27 Nov 2026 14:05:00 +0000".
    static func rfc2822Date(_ date: Date) -> String {
        let fields = LocalTime.utc.fields(date)
        return String(format: "%@, %02d %@ %04d %02d:%02d:%02d +0000",
                      String(LocalTime.weekdayNames[fields.weekday].prefix(3)), fields.day,
                      String(LocalTime.monthNames[fields.month - 1].prefix(3)), fields.year, fields.hour, fields.minute, fields.second)
    }
}
