import Foundation

/// Lays out Markdown replies as styled lines: headings, emphasis, inline code, lists,
/// quotes, rules, links, and fenced code (clipped, never wrapped, so code stays exactly as
/// written and can be copied whole).
///
/// Incremental: `MarkdownLayout` keeps the lines of the blocks already finished, so while
/// a reply streams in, only its last, growing block is laid out again.
enum Markdown {
    /// The lines for `text` at `width`.
    static func lines(_ text: String, width: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        for block in blocks(text) { lines += layout(block, width: width) }
        return lines
    }

    /// A block: a paragraph, heading, list item, quote, rule, blank line or code fence.
    enum Block: Equatable {
        case paragraph(String)
        case heading(level: Int, text: String)
        case listItem(marker: String, indent: Int, text: String)
        case quote(String)
        case rule
        case code(language: String, lines: [String], closed: Bool)
        case blank
    }

    /// Splits text into blocks. Consecutive plain lines join into one paragraph.
    static func blocks(_ text: String) -> [Block] {
        var blocks: [Block] = []
        var paragraph: [String] = []
        var fence: (language: String, lines: [String], marker: String)?
        func flushParagraph() {
            if !paragraph.isEmpty { blocks.append(.paragraph(paragraph.joined(separator: " "))) }
            paragraph = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw).replacingOccurrences(of: "\r", with: "")
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if var open = fence {
                if trimmed.hasPrefix(open.marker) && trimmed.allSatisfy({ $0 == open.marker.first }) {
                    blocks.append(.code(language: open.language, lines: open.lines, closed: true))
                    fence = nil
                } else {
                    open.lines.append(line.replacingOccurrences(of: "\t", with: "    "))
                    fence = open
                }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flushParagraph()
                let marker = String(trimmed.prefix(3))
                fence = (String(trimmed.dropFirst(3)).trimmingCharacters(in: .whitespaces), [], marker)
                continue
            }
            if trimmed.isEmpty {
                flushParagraph()
                if blocks.last != .blank { blocks.append(.blank) }
                continue
            }
            if let heading = Self.heading(trimmed) {
                flushParagraph()
                blocks.append(heading)
                continue
            }
            if trimmed.count >= 3, ["-", "*", "_"].contains(where: { c in trimmed.allSatisfy { $0 == Character(c) || $0 == " " } && trimmed.filter { $0 == Character(c) }.count >= 3 }) {
                flushParagraph()
                blocks.append(.rule)
                continue
            }
            if trimmed.hasPrefix(">") {
                flushParagraph()
                blocks.append(.quote(String(trimmed.dropFirst()).trimmingCharacters(in: .whitespaces)))
                continue
            }
            if let item = Self.listItem(line) {
                flushParagraph()
                blocks.append(item)
                continue
            }
            // An indented line right after a list item continues that item.
            if paragraph.isEmpty, line.hasPrefix("  "), case let .listItem(marker, indent, text)? = blocks.last {
                blocks[blocks.count - 1] = .listItem(marker: marker, indent: indent, text: text + " " + trimmed)
                continue
            }
            paragraph.append(trimmed)
        }
        flushParagraph()
        if let open = fence { blocks.append(.code(language: open.language, lines: open.lines, closed: false)) }
        return blocks
    }

    private static func heading(_ line: String) -> Block? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.dropFirst(hashes).first == " " else { return nil }
        return .heading(level: hashes, text: String(line.dropFirst(hashes + 1)).trimmingCharacters(in: .whitespaces))
    }

    private static func listItem(_ line: String) -> Block? {
        let indent = line.prefix { $0 == " " }.count
        let rest = line.dropFirst(indent)
        if let first = rest.first, "-*+".contains(first), rest.dropFirst().first == " " {
            return .listItem(marker: "•", indent: indent / 2, text: String(rest.dropFirst(2)))
        }
        let digits = rest.prefix { $0.isNumber }
        if !digits.isEmpty, digits.count <= 3, rest.dropFirst(digits.count).first == ".", rest.dropFirst(digits.count + 1).first == " " {
            return .listItem(marker: digits + ".", indent: indent / 2, text: String(rest.dropFirst(digits.count + 2)))
        }
        return nil
    }

    static func layout(_ block: Block, width: Int) -> [StyledLine] {
        switch block {
        case .blank:
            return [.empty]
        case let .paragraph(text):
            return Wrap.lines(inline(text), width: width)
        case let .heading(level, text):
            let style = Style(color: .heading, bold: true, underline: level == 1)
            return Wrap.lines(inline(text, base: style), width: width)
        case let .listItem(marker, indent, text):
            let pad = String(repeating: "  ", count: min(indent, 6))
            let bullet = [Span(pad + marker + " ", .accent)]
            let hang = [Span(String(repeating: " ", count: DisplayWidth.of(pad + marker + " ")))]
            return Wrap.lines(inline(text), width: width, indent: bullet, continuation: hang)
        case let .quote(text):
            let bar = [Span("│ ", .muted)]
            return Wrap.lines(inline(text, base: .muted), width: width, indent: bar, continuation: bar)
        case .rule:
            return [StyledLine([Span(String(repeating: "─", count: max(1, min(width, 40))), .muted)])]
        case let .code(language, lines, _):
            let label = language.isEmpty ? "code" : language
            var result = [StyledLine([Span("┌ " + label, Style(color: .muted))])]
            for line in lines {
                result.append(StyledLine([Span("│ ", .muted), Span(line, Style(color: .code))], clipped: true))
            }
            result.append(StyledLine([Span("└", .muted)]))
            return result
        }
    }

    /// Inline Markdown: **bold**, *italic* / _italic_, `code`, [text](url).
    static func inline(_ text: String, base: Style = .plain) -> [Span] {
        var spans: [Span] = []
        var current = ""
        var bold = false
        var italic = false
        let characters = Array(text)
        var index = 0
        func style() -> Style { base.with { $0.bold = $0.bold || bold; $0.italic = $0.italic || italic } }
        func flush() {
            if !current.isEmpty { spans.append(Span(current, style())); current = "" }
        }
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if character == "`", let close = characters[(index + 1)...].firstIndex(of: "`") {
                flush()
                spans.append(Span(String(characters[(index + 1)..<close]), base.with { $0.color = .code }))
                index = close + 1
            } else if character == "*" && next == "*" || character == "_" && next == "_" {
                flush()
                bold.toggle()
                index += 2
            } else if (character == "*" || character == "_") && next != " " && next != nil
                        && (index == 0 || characters[index - 1] == " " || italic) {
                flush()
                italic.toggle()
                index += 1
            } else if character == "*" && italic {
                flush()
                italic = false
                index += 1
            } else if character == "[", let close = characters[index...].firstIndex(of: "]"),
                      close + 1 < characters.count, characters[close + 1] == "(",
                      let end = characters[(close + 1)...].firstIndex(of: ")") {
                flush()
                spans.append(Span(String(characters[(index + 1)..<close]), base.with { $0.underline = true; $0.color = .accent }))
                spans.append(Span(" (" + String(characters[(close + 2)..<end]) + ")", .muted))
                index = end + 1
            } else {
                current.append(character)
                index += 1
            }
        }
        flush()
        return spans
    }
}

/// Keeps a growing message's finished blocks laid out, so each streamed chunk only lays
/// out the block still being written.
struct MarkdownLayout {
    private(set) var width = 0
    /// The text whose blocks are finished, and their lines.
    private var stableText = ""
    private var stableLines: [StyledLine] = []

    mutating func lines(for text: String, width: Int) -> [StyledLine] {
        if width != self.width || !text.hasPrefix(stableText) {
            self.width = width
            stableText = ""
            stableLines = []
        }
        // Finished blocks end at the last blank line outside a code fence.
        let tail = String(text.dropFirst(stableText.count))
        if let boundary = Self.lastFinishedBoundary(in: tail, fenceOpen: Self.fenceOpen(stableText)) {
            let finished = String(tail[..<boundary])
            stableLines += Markdown.lines(finished, width: width)
            stableText += finished
        }
        let rest = String(text.dropFirst(stableText.count))
        return rest.isEmpty ? stableLines : stableLines + Markdown.lines(rest, width: width)
    }

    private static func fenceOpen(_ text: String) -> Bool {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.trimmingCharacters(in: .whitespaces).hasPrefix("```") }.count % 2 == 1
    }

    /// The index just after the last "\n\n" that is outside a fence, if any.
    private static func lastFinishedBoundary(in text: String, fenceOpen: Bool) -> String.Index? {
        var inFence = fenceOpen
        var boundary: String.Index?
        var lineStart = text.startIndex
        var previousLineBlank = false
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "\n" {
                let line = text[lineStart..<index].trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("```") { inFence.toggle() }
                let blank = line.isEmpty
                if blank && previousLineBlank == false && !inFence && lineStart != text.startIndex {
                    boundary = text.index(after: index)
                }
                previousLineBlank = blank
                lineStart = text.index(after: index)
            }
            index = text.index(after: index)
        }
        return boundary
    }
}
