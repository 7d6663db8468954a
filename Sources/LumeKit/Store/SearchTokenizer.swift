import Foundation
import GRDB

/// The FTS5 tokenizer behind history search: SQLite's `unicode61` (case and diacritics
/// folded, so "Müller" matches "muller"), with runs of CJK text split into one token per
/// character.
///
/// Why: `unicode61` keeps a run such as "東京都に行きました" as a single token, so no word
/// inside Japanese or Chinese text could ever be found. One token per ideograph/kana makes a
/// query like "東京" a two-token phrase that matches wherever the characters are adjacent,
/// with exact byte offsets so snippets highlight just the match.
final class SearchTokenizer: FTS5CustomTokenizer {
    static let name = "lume_text"

    private let base: any FTS5Tokenizer

    init(db: Database, arguments: [String]) throws {
        base = try db.makeTokenizer(.unicode61(diacritics: .remove))
    }

    private struct Context {
        let tokenization: FTS5Tokenization
        let context: UnsafeMutableRawPointer?
        let text: UnsafePointer<CChar>
        let callback: FTS5TokenCallback
        var failure: CInt = 0
    }

    func tokenize(
        context: UnsafeMutableRawPointer?,
        tokenization: FTS5Tokenization,
        pText: UnsafePointer<CChar>?,
        nText: CInt,
        tokenCallback: @escaping FTS5TokenCallback
    ) -> CInt {
        guard let pText else { return 0 }
        var state = Context(tokenization: tokenization, context: context, text: pText, callback: tokenCallback)
        return withUnsafeMutablePointer(to: &state) { statePointer in
            base.tokenize(context: statePointer, tokenization: tokenization, pText: pText, nText: nText) {
                rawState, flags, pToken, nToken, iStart, iEnd in
                let state = rawState!.assumingMemoryBound(to: Context.self)
                guard let pToken else { return 0 }
                let token = UnsafeRawBufferPointer(start: pToken, count: Int(nToken))
                // Fast path: most tokens are ASCII or contain no CJK at all.
                if !SearchTokenizer.mayContainCJK(token) {
                    return state.pointee.callback(state.pointee.context, flags, pToken, nToken, iStart, iEnd)
                }
                return SearchTokenizer.splitCJK(state: state, flags: flags, start: Int(iStart), end: Int(iEnd))
            }
        }
    }

    /// CJK code points start at U+2E80, whose UTF-8 lead byte is 0xE2 or higher.
    private static func mayContainCJK(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.contains { $0 >= 0xE2 }
    }

    /// Re-reads the original text of a token and emits CJK characters one by one, and the
    /// text between them as ordinary folded words.
    private static func splitCJK(
        state: UnsafeMutablePointer<Context>, flags: CInt, start: Int, end: Int
    ) -> CInt {
        let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(state.pointee.text) + start, count: end - start)
        let text = String(decoding: bytes, as: UTF8.self)
        var offset = start
        var wordStart: Int?
        var word = ""
        func flushWord() -> CInt {
            guard let from = wordStart else { return 0 }
            defer { wordStart = nil; word = "" }
            let folded = word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            return emit(state: state, token: folded, flags: flags, start: from, end: offset)
        }
        for scalar in text.unicodeScalars {
            let length = UTF8.width(scalar)
            if isCJK(scalar) {
                let code = flushWord()
                if code != 0 { return code }
                let code2 = emit(state: state, token: String(scalar), flags: flags, start: offset, end: offset + length)
                if code2 != 0 { return code2 }
            } else {
                if wordStart == nil { wordStart = offset }
                word.unicodeScalars.append(scalar)
            }
            offset += length
        }
        return flushWord()
    }

    private static func emit(
        state: UnsafeMutablePointer<Context>, token: String, flags: CInt, start: Int, end: Int
    ) -> CInt {
        var token = token
        return token.withUTF8 { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                state.pointee.callback(
                    state.pointee.context, flags, chars.baseAddress, CInt(chars.count), CInt(start), CInt(end))
            }
        }
    }

    /// Scripts written without spaces between words.
    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2E80...0x2FDF,   // CJK radicals
             0x3040...0x30FF,   // Hiragana, Katakana
             0x3100...0x312F,   // Bopomofo
             0x3190...0x31FF,   // Kanbun, Katakana extensions
             0x3400...0x4DBF,   // CJK extension A
             0x4E00...0x9FFF,   // CJK unified ideographs
             0xAC00...0xD7AF,   // Hangul syllables
             0xF900...0xFAFF,   // CJK compatibility ideographs
             0xFF66...0xFF9F,   // half-width Katakana
             0x20000...0x3FFFF: // CJK extensions B and later
            return true
        default:
            return false
        }
    }
}
