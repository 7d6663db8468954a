import Foundation

/// A run of text in one style.
struct Span: Equatable {
    var text: String
    var style: Style

    init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// One screen line of a laid-out message.
struct StyledLine: Equatable {
    var spans: [Span]
    /// A code line: drawn clipped, never wrapped (a marker shows where it was cut).
    var clipped = false

    init(_ spans: [Span], clipped: Bool = false) {
        self.spans = spans
        self.clipped = clipped
    }

    static let empty = StyledLine([])

    var text: String { spans.map(\.text).joined() }

    /// Draws the line at (row, column) within `width` columns.
    func draw(into grid: inout Grid, row: Int, column: Int, width: Int) {
        var x = column
        let limit = column + width
        for span in spans {
            x = grid.write(span.text, row: row, column: x, style: span.style, limit: limit)
            if x >= limit { break }
        }
        if clipped && DisplayWidth.of(text) > width && width > 0 {
            grid.write("›", row: row, column: limit - 1, style: .muted, limit: limit)
        }
    }
}

/// Word wrapping by display width: words move to the next line whole when they fit on one,
/// long words and CJK text break between characters, and a hanging indent continues lists
/// and quotes.
enum Wrap {
    static func lines(_ spans: [Span], width: Int, indent: [Span] = [], continuation: [Span] = []) -> [StyledLine] {
        let width = max(1, width)
        var result: [StyledLine] = []
        var current: [Span] = indent
        var used = DisplayWidth.of(indent.map(\.text).joined())
        let continuationWidth = DisplayWidth.of(continuation.map(\.text).joined())
        var lineHasWords = false

        func newLine() {
            result.append(StyledLine(trimTrailingSpace(current)))
            current = continuation
            used = continuationWidth
            lineHasWords = false
        }

        func append(_ text: String, _ style: Style) {
            if let last = current.last, last.style == style {
                current[current.count - 1].text += text
            } else {
                current.append(Span(text, style))
            }
        }

        for span in spans {
            for piece in tokens(span.text) {
                if piece == "\n" {
                    newLine()
                    continue
                }
                let pieceWidth = DisplayWidth.of(piece)
                let isSpace = piece.allSatisfy { $0 == " " }
                if isSpace {
                    // Spaces between words are kept when they fit; leading spaces (an
                    // indent the text itself has) are kept on the first line only.
                    let leading = result.isEmpty && !lineHasWords
                    if (lineHasWords || leading) && used + pieceWidth <= width { append(piece, span.style); used += pieceWidth }
                    continue
                }
                if used + pieceWidth > width && lineHasWords {
                    newLine()
                }
                if used + pieceWidth <= width {
                    append(piece, span.style)
                    used += pieceWidth
                    lineHasWords = true
                    continue
                }
                // Longer than a whole line: break it between characters.
                for character in piece {
                    let w = DisplayWidth.character(character)
                    if used + w > width && lineHasWords { newLine() }
                    append(String(character), span.style)
                    used += w
                    lineHasWords = true
                }
            }
        }
        if lineHasWords || result.isEmpty || current != continuation { result.append(StyledLine(trimTrailingSpace(current))) }
        return result
    }

    /// Words, runs of spaces, newlines, and single CJK characters (which may break
    /// anywhere).
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        var spaces = ""
        func flush() {
            if !word.isEmpty { tokens.append(word); word = "" }
            if !spaces.isEmpty { tokens.append(spaces); spaces = "" }
        }
        for character in text {
            if character == "\n" || character == "\r\n" {
                flush()
                tokens.append("\n")
            } else if character == " " || character == "\t" {
                if !word.isEmpty { tokens.append(word); word = "" }
                spaces.append(" ")
            } else if DisplayWidth.character(character) == 2 {
                flush()
                tokens.append(String(character))
            } else {
                if !spaces.isEmpty { tokens.append(spaces); spaces = "" }
                word.append(character)
            }
        }
        flush()
        return tokens
    }

    private static func trimTrailingSpace(_ spans: [Span]) -> [Span] {
        var spans = spans
        while let last = spans.last {
            let trimmed = String(last.text.reversed().drop { $0 == " " }.reversed())
            if trimmed.isEmpty {
                spans.removeLast()
            } else {
                spans[spans.count - 1].text = trimmed
                break
            }
        }
        return spans
    }
}
