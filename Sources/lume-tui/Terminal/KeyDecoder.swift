import Foundation

/// Turns the bytes a terminal sends into keys and pastes. Pure: bytes in, inputs out, so
/// every key the help screen lists is pinned by a table test without a terminal.
///
/// Why not curses' own reader: it reads one byte per system call (and polls before each),
/// so a megabyte pasted without bracketed paste took seconds of system calls alone. This
/// reads whatever is waiting in one call and decodes it here.
///
/// Sequences are xterm's, which tmux, screen, GNOME's, KDE's, macOS's, Windows' and most
/// other terminals send: CSI (`ESC [`) and SS3 (`ESC O`, application cursor mode) forms,
/// modifiers as `1;5C`, rxvt's and the Linux console's variants where they differ.
struct KeyDecoder {
    private var pending: [UInt8] = []
    /// Inside a bracketed paste: what has arrived of it so far.
    private var paste: [UInt8]?

    private static let escape: UInt8 = 0x1B
    private static let pasteEnd = Array("\u{1B}[201~".utf8)

    /// True when the bytes held back could be the start of a longer sequence (a lone ESC):
    /// the caller waits briefly for more, then calls `flush`.
    var isWaiting: Bool { paste == nil && !pending.isEmpty }

    /// Decodes `bytes` with whatever was held back; an incomplete sequence or character at
    /// the end is kept for the next call.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [TerminalInput] {
        pending.append(contentsOf: bytes)
        return decode(final: false)
    }

    /// Nothing more came: what is held back means what it says alone (ESC is Escape).
    mutating func flush() -> [TerminalInput] {
        decode(final: true)
    }

    private mutating func decode(final: Bool) -> [TerminalInput] {
        var inputs: [TerminalInput] = []
        var index = 0
        while index < pending.count {
            if paste != nil {
                let (next, ended) = takePaste(from: index, into: &inputs)
                index = next
                if ended { continue }
                break  // the rest of the paste (or of its end marker) is still on its way
            }
            guard let (input, length) = Self.decodeOne(pending, at: index, final: final) else { break }
            index += length
            switch input {
            case .pasteStarted: paste = []
            case let .input(decoded): inputs.append(decoded)
            case .nothing: break
            }
        }
        pending.removeFirst(index)
        return inputs
    }

    /// Copies paste bytes up to the end marker (searched with one scan, so a paste of any
    /// size is read in time proportional to its length).
    private mutating func takePaste(from index: Int, into inputs: inout [TerminalInput]) -> (next: Int, ended: Bool) {
        let end = Self.pasteEnd
        var position = index
        while position < pending.count {
            if pending[position] == Self.escape {
                let available = min(end.count, pending.count - position)
                if pending[position..<position + available].elementsEqual(end[0..<available]) {
                    if available < end.count { break }  // the marker may be arriving in pieces
                    paste!.append(contentsOf: pending[index..<position])
                    let text = String(decoding: paste!, as: UTF8.self)
                    // A terminal sends Enter inside a paste as CR: a newline in the text.
                    inputs.append(.paste(text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")))
                    paste = nil
                    return (position + end.count, true)
                }
            }
            position += 1
        }
        paste!.append(contentsOf: pending[index..<position])
        return (position, false)
    }

    private enum Decoded {
        case input(TerminalInput)
        case pasteStarted
        case nothing
    }

    /// One input at `index`, and how many bytes it took; nil when the bytes so far are
    /// an incomplete sequence or character (and `final` is false).
    private static func decodeOne(_ bytes: [UInt8], at index: Int, final: Bool) -> (Decoded, Int)? {
        let byte = bytes[index]
        if byte == escape {
            return escapeSequence(bytes, at: index, final: final)
        }
        if byte < 0x20 || byte == 0x7F {
            return (control(byte).map { .input(.key($0)) } ?? .nothing, 1)
        }
        guard let (character, length) = utf8Character(bytes, at: index, final: final) else { return nil }
        return (.input(.key(.character(character))), length)
    }

    private static func control(_ byte: UInt8) -> Key? {
        switch byte {
        case 13: return .enter
        case 10: return .newline
        case 9: return .tab
        case 127, 8: return .backspace
        case 1...26: return .ctrl(Character(Unicode.Scalar(byte + 96)))
        default: return nil
        }
    }

    /// A UTF-8 character starting at `index`. A byte that cannot start one, or a sequence
    /// cut short, becomes one U+FFFD (for the bytes that belonged together), as Unicode
    /// recommends; nil when the character may still be arriving.
    private static func utf8Character(_ bytes: [UInt8], at index: Int, final: Bool) -> (Character, Int)? {
        let lead = bytes[index]
        let length = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 0
        guard length > 0 else { return ("\u{FFFD}", 1) }
        var continued = 1
        while continued < length, index + continued < bytes.count, bytes[index + continued] >> 6 == 0b10 { continued += 1 }
        if continued < length {
            if index + continued == bytes.count && !final { return nil }
            return ("\u{FFFD}", continued)
        }
        guard let scalar = String(decoding: bytes[index..<index + length], as: UTF8.self).unicodeScalars.first,
              scalar != "\u{FFFD}"
        else { return ("\u{FFFD}", length) }
        return (Character(scalar), length)
    }

    private static func escapeSequence(_ bytes: [UInt8], at index: Int, final: Bool) -> (Decoded, Int)? {
        guard index + 1 < bytes.count else {
            return final ? (.input(.key(.escape)), 1) : nil
        }
        let next = bytes[index + 1]
        switch next {
        case UInt8(ascii: "["), UInt8(ascii: "O"):
            // CSI: parameters (0x30–0x3F), intermediates (0x20–0x2F), a final byte.
            // SS3: usually just a final byte, sometimes with a modifier digit first.
            var position = index + 2
            while position < bytes.count, (0x20...0x3F).contains(bytes[position]) { position += 1 }
            guard position < bytes.count else {
                return final ? (.input(.key(next == UInt8(ascii: "[") ? .alt("[") : .alt("O"))), 2) : nil
            }
            // The Linux console's F1–F5: ESC [ [ A … E.
            if next == UInt8(ascii: "["), position == index + 2, bytes[position] == UInt8(ascii: "[") {
                guard position + 1 < bytes.count else { return final ? (.input(.key(.alt("["))), 2) : nil }
                let letter = bytes[position + 1]
                let key: Key? = (UInt8(ascii: "A")...UInt8(ascii: "E")).contains(letter) ? .function(Int(letter - UInt8(ascii: "A")) + 1) : nil
                return (key.map { .input(.key($0)) } ?? .nothing, position + 2 - index)
            }
            let parameters = String(decoding: bytes[(index + 2)..<position], as: UTF8.self)
            let finalByte = Character(Unicode.Scalar(bytes[position]))
            let length = position + 1 - index
            if next == UInt8(ascii: "["), parameters == "200", finalByte == "~" { return (.pasteStarted, length) }
            let key = next == UInt8(ascii: "[") ? csiKey(parameters, finalByte) : ss3Key(parameters, finalByte)
            return (key.map { .input(.key($0)) } ?? .nothing, length)
        case escape:
            // ESC ESC: the first is Escape on its own.
            return (.input(.key(.escape)), 1)
        case 13, 10:
            return (.input(.key(.newline)), 2)  // Alt-Enter
        case 127, 8:
            return (.input(.key(.ctrl("w"))), 2)  // Alt-Backspace deletes a word
        default:
            if next < 0x20 { return (.input(.key(.escape)), 1) }
            guard let (character, length) = utf8Character(bytes, at: index + 1, final: final) else { return nil }
            return (.input(.key(.alt(character))), 1 + length)
        }
    }

    /// `ESC [ parameters final`.
    static func csiKey(_ parameters: String, _ final: Character) -> Key? {
        let fields = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
        // xterm's modifier field: 1 + (shift 1, alt 2, ctrl 4).
        let modifier = fields.count > 1 ? (fields[1] ?? 1) - 1 : 0
        let ctrl = modifier & 4 != 0, alt = modifier & 2 != 0
        switch final {
        case "A": return alt ? .altUp : .up
        case "B": return alt ? .altDown : .down
        case "C": return ctrl || parameters == "5" ? .ctrlRight : .right
        case "D": return ctrl || parameters == "5" ? .ctrlLeft : .left
        case "H": return .home
        case "F": return .end
        case "Z": return .backTab
        case "a": return .up  // rxvt: Shift-arrows
        case "b": return .down
        case "c": return .right
        case "d": return .left
        case "~":
            switch fields.first ?? nil {
            case 1, 7: return .home
            case 4, 8: return .end
            case 3: return .delete
            case 5: return .pageUp
            case 6: return .pageDown
            case let .some(code) where (11...15).contains(code): return .function(code - 10)
            case let .some(code) where (17...21).contains(code): return .function(code - 11)
            case 23: return .function(11)
            case 24: return .function(12)
            default: return nil
            }
        default:
            return nil
        }
    }

    /// `ESC O final` (application cursor and keypad mode), possibly with a modifier digit.
    static func ss3Key(_ parameters: String, _ final: Character) -> Key? {
        let ctrl = parameters == "5"
        switch final {
        case "A": return .up
        case "B": return .down
        case "C": return ctrl ? .ctrlRight : .right
        case "D": return ctrl ? .ctrlLeft : .left
        case "c": return .ctrlRight  // rxvt: Ctrl-arrows
        case "d": return .ctrlLeft
        case "H": return .home
        case "F": return .end
        case "M": return .enter  // keypad Enter
        case "P": return .function(1)
        case "Q": return .function(2)
        case "R": return .function(3)
        case "S": return .function(4)
        default: return nil
        }
    }
}
