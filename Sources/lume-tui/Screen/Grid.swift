/// How a cell looks. Colours are roles, not RGB: the terminal layer maps them, and drops
/// them under NO_COLOR.
struct Style: Equatable, Hashable {
    enum Color: Equatable, Hashable {
        case standard, accent, muted, good, warning, bad, code, heading
    }

    var color: Color = .standard
    var bold = false
    var dim = false
    var italic = false
    var underline = false
    var reverse = false

    static let plain = Style()
    static let bold = Style(bold: true)
    static let muted = Style(color: .muted)
    static let accent = Style(color: .accent)
    static let inverse = Style(reverse: true)

    func with(_ change: (inout Style) -> Void) -> Style {
        var copy = self
        change(&copy)
        return copy
    }
}

/// One terminal cell: a drawable unit of text (a character and its combining marks) with
/// its style. A wide character fills its cell and marks the next as a continuation.
struct Cell: Equatable {
    var text: String
    var style: Style
    /// True for the right half of a wide character: nothing is drawn there.
    var isContinuation: Bool

    static let blank = Cell(text: " ", style: .plain, isContinuation: false)
}

struct Size: Equatable {
    var columns: Int
    var rows: Int
}

struct Position: Equatable {
    var row: Int
    var column: Int
}

/// A rectangle of the screen that a view draws into.
struct Rect: Equatable {
    var row: Int
    var column: Int
    var width: Int
    var height: Int

    var bottom: Int { row + height }
    var right: Int { column + width }
}

/// The whole screen as text and styles: what `render` produces and the terminal draws.
/// Tests compare it as plain text.
struct Grid: Equatable {
    let size: Size
    private(set) var cells: [Cell]
    /// Where the terminal cursor goes (the prompt's caret), if shown.
    var cursor: Position?

    init(size: Size) {
        self.size = size
        cells = Array(repeating: .blank, count: max(0, size.columns * size.rows))
    }

    subscript(row: Int, column: Int) -> Cell {
        cells[row * size.columns + column]
    }

    /// Writes `text` from (row, column), clipped to `limit` columns (the row's end by
    /// default). A wide character that would straddle the limit is replaced by a space,
    /// so nothing ever overlaps what is beside it. Returns the column after the text.
    @discardableResult
    mutating func write(_ text: some StringProtocol, row: Int, column: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        guard row >= 0, row < size.rows else { return column }
        let end = min(limit ?? size.columns, size.columns)
        var x = column
        for character in text {
            if character == "\n" || character == "\r\n" { break }
            for cell in DisplayWidth.cells(of: character) {
                if x >= end { return x }
                if cell.width == 2 && x + 1 >= end {
                    put(Cell(text: " ", style: style, isContinuation: false), row: row, column: x)
                    return x + 1
                }
                if x >= 0 {
                    put(Cell(text: cell.text, style: style, isContinuation: false), row: row, column: x)
                    if cell.width == 2 { put(Cell(text: "", style: style, isContinuation: true), row: row, column: x + 1) }
                }
                x += cell.width
            }
        }
        return x
    }

    /// Fills a rectangle with spaces in `style`.
    mutating func fill(_ rect: Rect, style: Style = .plain) {
        for row in max(0, rect.row)..<min(size.rows, rect.bottom) {
            for column in max(0, rect.column)..<min(size.columns, rect.right) {
                put(Cell(text: " ", style: style, isContinuation: false), row: row, column: column)
            }
        }
    }

    private mutating func put(_ cell: Cell, row: Int, column: Int) {
        guard row >= 0, row < size.rows, column >= 0, column < size.columns else { return }
        let index = row * size.columns + column
        // Overwriting half of a wide character blanks its other half.
        if cells[index].isContinuation, column > 0 {
            cells[index - 1] = Cell(text: " ", style: cells[index - 1].style, isContinuation: false)
        } else if column + 1 < size.columns, cells[index + 1].isContinuation, !cell.isContinuation {
            cells[index + 1] = Cell(text: " ", style: cells[index + 1].style, isContinuation: false)
        }
        cells[index] = cell
    }

    /// The screen as plain text, one line per row, trailing spaces trimmed.
    var text: String {
        (0..<size.rows).map { row in
            var line = ""
            for column in 0..<size.columns where !self[row, column].isContinuation {
                line += self[row, column].text
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
