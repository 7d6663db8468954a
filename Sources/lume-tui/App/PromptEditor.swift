import Foundation

/// The prompt's text and caret, with emacs-style editing. Pure: every edit is a function
/// of the text, the caret and the key.
struct PromptEditor: Equatable {
    private(set) var characters: [Character] = []
    /// Index into `characters` (0…count).
    private(set) var caret = 0
    /// What the last kill removed (Ctrl-K, Ctrl-U, Ctrl-W), for Ctrl-Y.
    private(set) var killed = ""

    var text: String { String(characters) }
    var isEmpty: Bool { characters.isEmpty }

    init(_ text: String = "") {
        characters = Array(text)
        caret = characters.count
    }

    mutating func set(_ text: String) {
        characters = Array(text)
        caret = characters.count
    }

    mutating func insert(_ text: String) {
        // Pasted Windows line ends become plain newlines; tabs become spaces.
        let clean = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\t", with: "    ")
        characters.insert(contentsOf: clean, at: caret)
        caret += clean.count
    }

    mutating func backspace() {
        guard caret > 0 else { return }
        characters.remove(at: caret - 1)
        caret -= 1
    }

    mutating func deleteForward() {
        guard caret < characters.count else { return }
        characters.remove(at: caret)
    }

    mutating func left() { caret = max(0, caret - 1) }
    mutating func right() { caret = min(characters.count, caret + 1) }

    /// Ctrl-A / Home: the start of the current line.
    mutating func lineStart() {
        while caret > 0 && characters[caret - 1] != "\n" { caret -= 1 }
    }

    /// Ctrl-E / End: the end of the current line.
    mutating func lineEnd() {
        while caret < characters.count && characters[caret] != "\n" { caret += 1 }
    }

    /// Ctrl-K: delete to the end of the line (or the newline itself at a line's end).
    mutating func killToLineEnd() {
        var end = caret
        while end < characters.count && characters[end] != "\n" { end += 1 }
        if end == caret && end < characters.count { end += 1 }
        killed = String(characters[caret..<end])
        characters.removeSubrange(caret..<end)
    }

    /// Ctrl-U: delete to the start of the line.
    mutating func killToLineStart() {
        var start = caret
        while start > 0 && characters[start - 1] != "\n" { start -= 1 }
        killed = String(characters[start..<caret])
        characters.removeSubrange(start..<caret)
        caret = start
    }

    /// Ctrl-W: delete the word before the caret (and the spaces after it).
    mutating func killWordBackward() {
        let start = wordStart(before: caret)
        killed = String(characters[start..<caret])
        characters.removeSubrange(start..<caret)
        caret = start
    }

    /// Ctrl-Y: put back what was last killed.
    mutating func yank() { insert(killed) }

    /// Alt-B / Ctrl-Left.
    mutating func wordBackward() { caret = wordStart(before: caret) }

    /// Alt-F / Ctrl-Right.
    mutating func wordForward() {
        var index = caret
        while index < characters.count && !isWordCharacter(characters[index]) { index += 1 }
        while index < characters.count && isWordCharacter(characters[index]) { index += 1 }
        caret = index
    }

    private func wordStart(before position: Int) -> Int {
        var index = position
        while index > 0 && !isWordCharacter(characters[index - 1]) { index -= 1 }
        while index > 0 && isWordCharacter(characters[index - 1]) { index -= 1 }
        return index
    }

    private func isWordCharacter(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }

    /// Which line (0-based) the caret is on, and whether it is the first or last one:
    /// Up/Down recall history only from there, and move between lines otherwise.
    var caretLine: Int { characters[..<caret].filter { $0 == "\n" }.count }
    var lineCount: Int { characters.filter { $0 == "\n" }.count + 1 }

    /// Moves the caret to the same column on the previous (-1) or next (+1) line.
    mutating func moveLine(_ delta: Int) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(Array.init)
        let line = caretLine
        let target = line + delta
        guard lines.indices.contains(target) else { return }
        let column = caret - lines[..<line].reduce(0) { $0 + $1.count + 1 }
        caret = lines[..<target].reduce(0) { $0 + $1.count + 1 } + min(column, lines[target].count)
    }

    /// The text before the caret, for placing the terminal cursor.
    var beforeCaret: String { String(characters[..<caret]) }
}
