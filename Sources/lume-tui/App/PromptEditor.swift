import Foundation

/// The prompt's text and caret, with emacs-style editing. Pure: every edit is a function
/// of the text, the caret and the key.
///
/// Why a `String` and a UTF-8 caret: the text is handed to the draft saver and the
/// renderer after every edit. A `String` is passed by reference until changed, and an
/// insertion at the caret costs the length of what is inserted, so a 1 MB paste typed in
/// without bracketed paste stays linear (an array of `Character`s had to be turned into a
/// new `String` after every keystroke: quadratic).
struct PromptEditor: Equatable {
    private(set) var text = ""
    /// The caret as a UTF-8 offset into `text`, on a character boundary.
    private(set) var caretOffset = 0
    /// What the last kill removed (Ctrl-K, Ctrl-U, Ctrl-W), for Ctrl-Y.
    private(set) var killed = ""

    var isEmpty: Bool { text.isEmpty }

    init(_ text: String = "") {
        set(text)
    }

    mutating func set(_ text: String) {
        self.text = text
        caretOffset = text.utf8.count
    }

    private var caret: String.Index { index(at: caretOffset) }

    private func index(at offset: Int) -> String.Index {
        text.utf8.index(text.startIndex, offsetBy: offset)
    }

    private func offset(of index: String.Index) -> Int {
        text.utf8.distance(from: text.startIndex, to: index)
    }

    mutating func insert(_ inserted: String) {
        // Pasted Windows line ends become plain newlines; tabs become spaces.
        var clean = inserted
        if clean.utf8.contains(where: { $0 == 13 || $0 == 9 }) {
            clean = clean.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
                .replacingOccurrences(of: "\t", with: "    ")
        }
        if caretOffset == text.utf8.count {
            text.append(clean)
        } else {
            text.insert(contentsOf: clean, at: caret)
        }
        caretOffset += clean.utf8.count
    }

    mutating func backspace() {
        guard caretOffset > 0 else { return }
        let end = caret
        let start = text.index(before: end)
        text.removeSubrange(start..<end)
        caretOffset = offset(of: start)
    }

    mutating func deleteForward() {
        guard caretOffset < text.utf8.count else { return }
        let start = caret
        text.removeSubrange(start..<text.index(after: start))
    }

    mutating func left() {
        guard caretOffset > 0 else { return }
        caretOffset = offset(of: text.index(before: caret))
    }

    mutating func right() {
        guard caretOffset < text.utf8.count else { return }
        caretOffset = offset(of: text.index(after: caret))
    }

    /// Ctrl-A / Home: the start of the current line.
    mutating func lineStart() { caretOffset = lineStartOffset(caretOffset) }

    /// Ctrl-E / End: the end of the current line.
    mutating func lineEnd() { caretOffset = lineEndOffset(caretOffset) }

    /// Ctrl-K: delete to the end of the line (or the newline itself at a line's end).
    mutating func killToLineEnd() {
        var end = lineEndOffset(caretOffset)
        if end == caretOffset && end < text.utf8.count { end += 1 }
        kill(caretOffset..<end)
    }

    /// Ctrl-U: delete to the start of the line.
    mutating func killToLineStart() {
        kill(lineStartOffset(caretOffset)..<caretOffset)
    }

    /// Ctrl-W: delete the word before the caret (and the spaces after it).
    mutating func killWordBackward() {
        kill(wordStart(before: caretOffset)..<caretOffset)
    }

    private mutating func kill(_ range: Range<Int>) {
        let bounds = index(at: range.lowerBound)..<index(at: range.upperBound)
        killed = String(text[bounds])
        text.removeSubrange(bounds)
        caretOffset = range.lowerBound
    }

    /// Ctrl-Y: put back what was last killed.
    mutating func yank() { insert(killed) }

    /// Alt-B / Ctrl-Left.
    mutating func wordBackward() { caretOffset = wordStart(before: caretOffset) }

    /// Alt-F / Ctrl-Right.
    mutating func wordForward() {
        var position = caret
        while position < text.endIndex && !isWordCharacter(text[position]) { position = text.index(after: position) }
        while position < text.endIndex && isWordCharacter(text[position]) { position = text.index(after: position) }
        caretOffset = offset(of: position)
    }

    private func wordStart(before offset: Int) -> Int {
        var position = index(at: offset)
        func previous() -> Character? { position > text.startIndex ? text[text.index(before: position)] : nil }
        while let character = previous(), !isWordCharacter(character) { position = text.index(before: position) }
        while let character = previous(), isWordCharacter(character) { position = text.index(before: position) }
        return self.offset(of: position)
    }

    private func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }

    private static let newline = UInt8(ascii: "\n")

    private func lineStartOffset(_ offset: Int) -> Int {
        let bytes = text.utf8
        var position = bytes.index(bytes.startIndex, offsetBy: offset)
        while position > bytes.startIndex {
            let previous = bytes.index(before: position)
            if bytes[previous] == Self.newline { break }
            position = previous
        }
        return bytes.distance(from: bytes.startIndex, to: position)
    }

    private func lineEndOffset(_ offset: Int) -> Int {
        let bytes = text.utf8
        let start = bytes.index(bytes.startIndex, offsetBy: offset)
        let end = bytes[start...].firstIndex(of: Self.newline) ?? bytes.endIndex
        return bytes.distance(from: bytes.startIndex, to: end)
    }

    /// Which line (0-based) the caret is on, and whether it is the first or last one:
    /// Up/Down recall history only from there, and move between lines otherwise.
    var caretLine: Int { text.utf8.prefix(caretOffset).reduce(0) { $1 == Self.newline ? $0 + 1 : $0 } }
    var lineCount: Int { text.utf8.reduce(1) { $1 == Self.newline ? $0 + 1 : $0 } }

    /// Moves the caret to the same column (in characters) on the previous (-1) or next
    /// (+1) line.
    mutating func moveLine(_ delta: Int) {
        let start = lineStartOffset(caretOffset)
        let column = text[index(at: start)..<caret].count
        let targetStart: Int
        if delta < 0 {
            guard start > 0 else { return }
            targetStart = lineStartOffset(start - 1)
        } else {
            let end = lineEndOffset(caretOffset)
            guard end < text.utf8.count else { return }
            targetStart = end + 1
        }
        let targetEnd = lineEndOffset(targetStart)
        var position = index(at: targetStart)
        let limit = index(at: targetEnd)
        var moved = 0
        while moved < column && position < limit {
            position = text.index(after: position)
            moved += 1
        }
        caretOffset = offset(of: position)
    }
}
