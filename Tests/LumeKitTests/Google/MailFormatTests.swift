import Foundation
import Testing
@testable import LumeKit

/// Addresses and headers as mail systems read them.
@Suite struct MailFormatTests {
    @Test func parsesAddressLists() {
        let list = MailAddress.parseList("\"Smith, Alice\" <alice@example.com>, bob@example.com,Carol <carol@example.org>")
        #expect(list == [MailAddress("alice@example.com", name: "Smith, Alice"), MailAddress("bob@example.com"), MailAddress("carol@example.org", name: "Carol")])
        #expect(MailAddress.parseList("=?UTF-8?B?w5Fvw7Fv?= <n@example.com>") == [MailAddress("n@example.com", name: "Ñoño")])
        #expect(MailAddress.parseList("  ").isEmpty)
    }

    @Test func judgesAddresses() {
        for good in ["ada@example.com", "a.b+tag@sub.example.co.uk"] { #expect(MailAddress.isPlausible(good), "\(good)") }
        for bad in ["ada", "ada@", "@example.com", "ada@example", "a b@example.com", "ada@example.com>\r\nBcc: x", "ada@.com", "ädä@example.com"] {
            #expect(!MailAddress.isPlausible(bad), "\(bad)")
        }
    }

    @Test func encodesAndDecodesHeaderWords() {
        #expect(MailHeader.encode("Plain ASCII") == "Plain ASCII")
        #expect(MailHeader.encode("Café") == "=?UTF-8?B?" + Data("Café".utf8).base64EncodedString() + "?=")
        let long = String(repeating: "ü", count: 40)
        let encoded = MailHeader.encode(long)
        #expect(encoded.components(separatedBy: "\r\n ").count == 3, "19 two-byte characters per word")
        #expect(encoded.components(separatedBy: "\r\n ").allSatisfy { $0.count <= 64 })
        #expect(MailHeader.decode(encoded) == long)
        #expect(MailHeader.decode("=?iso-8859-1?Q?Caf=E9_au_lait?= ok") == "Café au lait ok")
        #expect(MailHeader.decode("a =?bogus") == "a =?bogus")
        #expect(MailHeader.encode(MailAddress("x@example.com", name: "Lovelace, Ada")) == "\"Lovelace, Ada\" <x@example.com>")
        // An emoji is never split between two encoded words.
        let emoji = MailHeader.encode(String(repeating: "👍", count: 20))
        #expect(MailHeader.decode(emoji) == String(repeating: "👍", count: 20))
    }
}
