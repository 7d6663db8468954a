import Foundation
import Testing
@testable import lume_tui

/// `KeyDecoder`: the bytes terminals send, in, and keys out — every key the help screen
/// lists, in the forms xterm-like terminals, rxvt and the Linux console send it.
@Suite struct KeyDecoderTests {
    static let esc = "\u{1B}"

    func decode(_ text: String) -> [TerminalInput] {
        var decoder = KeyDecoder()
        return decoder.feed(Array(text.utf8)) + decoder.flush()
    }

    @Test(arguments: [
        // Sending and new lines.
        ("\r", Key.enter), ("\n", .newline), ("\(esc)\r", .newline), ("\(esc)OM", .enter),
        // Editing: Ctrl-A/E/K/U/W/Y/B/D, Alt-B/F, Ctrl-←/→ in every common form.
        ("\u{01}", .ctrl("a")), ("\u{05}", .ctrl("e")), ("\u{0B}", .ctrl("k")), ("\u{15}", .ctrl("u")),
        ("\u{17}", .ctrl("w")), ("\u{19}", .ctrl("y")), ("\u{02}", .ctrl("b")), ("\u{04}", .ctrl("d")),
        ("\(esc)b", .alt("b")), ("\(esc)f", .alt("f")), ("\(esc)\u{7F}", .ctrl("w")),
        ("\(esc)[1;5D", .ctrlLeft), ("\(esc)[1;5C", .ctrlRight), ("\(esc)[5D", .ctrlLeft), ("\(esc)[5C", .ctrlRight),
        ("\(esc)O5D", .ctrlLeft), ("\(esc)O5C", .ctrlRight), ("\(esc)Od", .ctrlLeft), ("\(esc)Oc", .ctrlRight),
        ("\u{7F}", .backspace), ("\u{08}", .backspace), ("\(esc)[3~", .delete), ("\t", .tab), ("\(esc)[Z", .backTab),
        // Moving: arrows in normal and application mode, Home/End in four forms each.
        ("\(esc)[A", .up), ("\(esc)[B", .down), ("\(esc)[C", .right), ("\(esc)[D", .left),
        ("\(esc)OA", .up), ("\(esc)OB", .down), ("\(esc)OC", .right), ("\(esc)OD", .left),
        ("\(esc)[1;2A", .up), ("\(esc)[a", .up),
        ("\(esc)[H", .home), ("\(esc)OH", .home), ("\(esc)[1~", .home), ("\(esc)[7~", .home),
        ("\(esc)[F", .end), ("\(esc)OF", .end), ("\(esc)[4~", .end), ("\(esc)[8~", .end),
        // Scrolling.
        ("\(esc)[5~", .pageUp), ("\(esc)[6~", .pageDown), ("\(esc)[1;3A", .altUp), ("\(esc)[1;3B", .altDown),
        // The rest of the help screen: Ctrl-X (then Ctrl-E), Ctrl-N/O/R/F/Q/C, Alt-Y/C, F1, F2.
        ("\u{18}", .ctrl("x")), ("\u{0E}", .ctrl("n")), ("\u{0F}", .ctrl("o")), ("\u{12}", .ctrl("r")),
        ("\u{06}", .ctrl("f")), ("\u{11}", .ctrl("q")), ("\u{03}", .ctrl("c")), ("\(esc)y", .alt("y")), ("\(esc)c", .alt("c")),
        ("\(esc)OP", .function(1)), ("\(esc)[11~", .function(1)), ("\(esc)[[A", .function(1)),
        ("\(esc)OQ", .function(2)), ("\(esc)[12~", .function(2)), ("\(esc)[24~", .function(12)), ("\(esc)[17~", .function(6)),
        // Plain characters, and the dialogs' answers.
        ("?", .character("?")), ("y", .character("y")), ("é", .character("é")), ("東", .character("東")),
        ("\(esc)é", .alt("é")),
    ])
    func decodesEachKey(bytes: String, key: Key) {
        #expect(decode(bytes) == [.key(key)], "\(bytes.debugDescription)")
    }

    @Test func aLoneEscapeWaitsForMoreThenIsEscape() {
        var decoder = KeyDecoder()
        #expect(decoder.feed(Array(Self.esc.utf8)).isEmpty)
        #expect(decoder.isWaiting)
        #expect(decoder.flush() == [.key(.escape)])
        #expect(!decoder.isWaiting)
        // Escape pressed twice, then an arrow.
        #expect(decode("\(Self.esc)\(Self.esc)\(Self.esc)[A") == [.key(.escape), .key(.escape), .key(.up)])
    }

    /// A read may end anywhere: inside a sequence, a character, or a paste's end marker.
    @Test func sequencesSplitAcrossReadsAreJoined() {
        let stream = "a\(Self.esc)[1;5D東\(Self.esc)[200~pasted\(Self.esc)[A text\r\nline\(Self.esc)[201~z"
        let bytes = Array(stream.utf8)
        let whole = decode(stream)
        #expect(whole == [.key(.character("a")), .key(.ctrlLeft), .key(.character("東")),
                          .paste("pasted\(Self.esc)[A text\nline"), .key(.character("z"))])
        for cut in 1..<bytes.count {
            var decoder = KeyDecoder()
            let parts = decoder.feed(bytes[..<cut]) + decoder.feed(bytes[cut...]) + decoder.flush()
            #expect(parts == whole, "cut at \(cut)")
        }
    }

    @Test func brokenInputIsNeverLost() {
        var decoder = KeyDecoder()
        // A byte that cannot start UTF-8, and a cut-off character before a plain one.
        #expect(decoder.feed([0x61, 0xFF, 0x62, 0xE6, 0x9D, 0x63]) ==
                [.key(.character("a")), .key(.character("\u{FFFD}")), .key(.character("b")), .key(.character("\u{FFFD}")), .key(.character("c"))])
        #expect(decode("\u{00}x") == [.key(.character("x"))])
        #expect(decode("\(Self.esc)[99~x") == [.key(.character("x"))], "an unknown sequence is dropped whole")
        // A paste still open when nothing more arrives is not cut short: it waits.
        #expect(decoder.feed(Array("\(Self.esc)[200~half".utf8)).isEmpty)
        #expect(decoder.flush().isEmpty)
        #expect(decoder.feed(Array(" and the rest\(Self.esc)[201~".utf8)) == [.paste("half and the rest")])
    }

    /// A megabyte arriving in terminal-sized reads decodes in one pass.
    @Test func aLargePasteWithoutBracketsArrivesAsCharacters() {
        var decoder = KeyDecoder()
        let text = String(repeating: "lorem ipsum ", count: 20_000)
        var keys = 0
        for chunk in Array(text.utf8).chunked(4096) {
            keys += decoder.feed(chunk).count
        }
        #expect(keys == text.utf8.count)
        let actions = Runner.actions(for: decoder.feed(Array("ab\r".utf8)))
        #expect(actions == [.typed("ab"), .keyPressed(.enter)])
    }

    @Test func runsOfCharactersBecomeOneTypedAction() {
        let inputs: [TerminalInput] = [.key(.character("h")), .key(.character("i")), .key(.enter), .key(.character("x")),
                                       .paste("p"), .key(.character("y")), .key(.character("z"))]
        #expect(Runner.actions(for: inputs) == [.typed("hi"), .keyPressed(.enter), .keyPressed(.character("x")),
                                                 .pasted("p"), .typed("yz")])
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
