/// How many terminal cells text takes, and the form in which it is safe to draw.
///
/// Why our own rules: curses places each code point by `wcwidth()`, but terminals disagree
/// about sequences — tmux draws 👩‍💻 (ZWJ) in 2 cells where `wcwidth` sums to 4, and ❤️
/// (VS16) in 1 where others use 2. Any disagreement shifts the rest of the line and text
/// overlaps. So before drawing we drop the joiners and presentation selectors and show the
/// parts (👩💻, ❤): every terminal and curses then agree on every cell. Control characters
/// (an ESC in an e-mail, say) are shown as visible symbols, never sent to the terminal.
/// The stored text is untouched; copying a message copies the original.
enum DisplayWidth {
    /// One drawable unit: a base character and the combining marks on it.
    struct Cell: Equatable {
        var text: String
        var width: Int
    }

    static func scalar(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x7F { return 1 }  // controls are replaced by 1-cell symbols
        if contains(WidthTable.wide, value) { return 2 }
        if contains(WidthTable.zero, value) { return 0 }
        return 1
    }

    static func of(_ text: some StringProtocol) -> Int {
        var total = 0
        for character in text {
            for cell in cells(of: character) { total += cell.width }
        }
        return total
    }

    static func character(_ character: Character) -> Int {
        cells(of: character).reduce(0) { $0 + $1.width }
    }

    /// Splits a grapheme into the cells curses will draw it as (see the type comment).
    static func cells(of character: Character) -> [Cell] {
        // Fast path: one printable ASCII or one ordinary scalar.
        let scalars = character.unicodeScalars
        if scalars.count == 1, let only = scalars.first {
            if only.value >= 0x20 && only.value < 0x7F { return [Cell(text: String(character), width: 1)] }
            if let symbol = controlPicture(only) { return [Cell(text: symbol, width: 1)] }
            let width = scalar(only)
            if width == 0 { return zeroWidthAlone(only) }
            return [Cell(text: String(character), width: width)]
        }
        var cells: [Cell] = []
        for scalar in scalars {
            if isDropped(scalar) { continue }
            if let symbol = controlPicture(scalar) {
                cells.append(Cell(text: symbol, width: 1))
                continue
            }
            let width = Self.scalar(scalar)
            if width == 0 {
                if cells.isEmpty {
                    cells.append(contentsOf: zeroWidthAlone(scalar))
                } else {
                    cells[cells.count - 1].text.unicodeScalars.append(scalar)
                }
            } else {
                cells.append(Cell(text: String(scalar), width: width))
            }
        }
        return cells
    }

    /// Joiners and presentation selectors terminals disagree about (see the type comment).
    private static func isDropped(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x200D, 0xFE0E, 0xFE0F, 0x200B, 0x2060, 0xFEFF: return true
        default: return false
        }
    }

    /// A combining mark with nothing to combine with sits on a space; other invisible
    /// characters are dropped.
    private static func zeroWidthAlone(_ scalar: Unicode.Scalar) -> [Cell] {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .spacingMark:
            return [Cell(text: " " + String(scalar), width: 1)]
        default:
            return []
        }
    }

    /// C0, DEL and C1 controls drawn as visible symbols (␛ for ESC), so text can never
    /// move the cursor or change the terminal's state.
    static func controlPicture(_ scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x00..<0x20: return String(Unicode.Scalar(0x2400 + scalar.value)!)
        case 0x7F: return "\u{2421}"
        case 0x80..<0xA0: return "\u{FFFD}"
        default: return nil
        }
    }

    private static func contains(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
        var low = 0, high = ranges.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if value < ranges[mid].lowerBound { high = mid - 1 }
            else if value > ranges[mid].upperBound { low = mid + 1 }
            else { return true }
        }
        return false
    }

    /// Cuts `text` to at most `width` cells, ending with "…" when anything was cut.
    static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if of(text) <= width { return text }
        var result = ""
        var used = 0
        for character in text {
            let w = Self.character(character)
            if used + w > width - 1 { break }
            result.append(character)
            used += w
        }
        return result + "…"
    }

    /// Pads `text` with spaces to exactly `width` cells (truncating if longer).
    static func pad(_ text: String, to width: Int) -> String {
        let cut = truncate(text, to: width)
        return cut + String(repeating: " ", count: max(0, width - of(cut)))
    }
}
