import Foundation
import LumeKit

/// A drawn screen, and what the renderer measured that `update` needs (how tall the
/// transcript is, for scrolling).
struct Frame: Equatable {
    var grid: Grid
    var transcriptLines: Int
    /// Lines per message of the transcript, in order.
    var messageLines: [MessageLines] = []
}

struct MessageLines: Equatable {
    var id: Int64
    var lines: Int
}

/// The whole screen from the state. Pure apart from the layout cache, which only saves
/// work and never changes the result.
enum Renderer {
    static func render(_ state: AppState, cache: TranscriptLayoutCache = TranscriptLayoutCache()) -> Frame {
        var grid = Grid(size: state.size)
        let layout = Layout(state)
        if layout.tooSmall {
            TooSmallView.draw(into: &grid, size: state.size)
            return Frame(grid: grid, transcriptLines: 0)
        }
        if layout.list.width > 0 {
            ListView.draw(state, into: &grid, rect: layout.list)
            for row in 0..<layout.list.height {
                grid.write("│", row: row, column: layout.list.width, style: .muted)
            }
        }
        let (lines, perMessage) = TranscriptView.draw(state, into: &grid, rect: layout.transcript, cache: cache)
        grid.write(String(repeating: "─", count: state.size.columns), row: layout.separatorRow, column: 0, style: .muted)
        PromptView.draw(state, into: &grid, rect: layout.prompt)
        StatusView.draw(state, into: &grid, rect: layout.status)
        if let overlay = state.overlay {
            grid.cursor = nil
            OverlayView.draw(overlay, state: state, into: &grid)
        }
        return Frame(grid: grid, transcriptLines: lines, messageLines: perMessage)
    }
}

enum TooSmallView {
    static func draw(into grid: inout Grid, size: Size) {
        let lines = ["Terminal too small", "\(size.columns)×\(size.rows); lume-tui needs \(App.minimumSize.columns)×\(App.minimumSize.rows).", "Enlarge it, or Ctrl-Q quits."]
        let top = max(0, (size.rows - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            let cut = DisplayWidth.truncate(line, to: size.columns)
            grid.write(cut, row: top + index, column: max(0, (size.columns - DisplayWidth.of(cut)) / 2), style: index == 0 ? .bold : .plain)
        }
    }
}

enum ListView {
    static func draw(_ state: AppState, into grid: inout Grid, rect: Rect) {
        let focused = state.focus == .list
        grid.write(" Conversations", row: rect.row, column: rect.column, style: Style(color: focused ? .accent : .muted, bold: true), limit: rect.right)
        let rows = state.list.rows
        let height = rect.height - 1
        guard height > 0 else { return }
        if rows.isEmpty {
            grid.write(" No conversations yet.", row: rect.row + 1, column: rect.column, style: .muted, limit: rect.right)
            return
        }
        let top = max(0, min(state.list.selected - height / 2, rows.count - height))
        for (offset, conversation) in rows.dropFirst(top).prefix(height).enumerated() {
            let index = top + offset
            let selected = index == state.list.selected
            let active = conversation.id == state.transcript.conversationID
            let age = Ages.short(conversation.updatedAt, now: state.now, time: state.time)
            let titleWidth = rect.width - 4 - DisplayWidth.of(age)
            let title = DisplayWidth.pad(conversation.title.isEmpty ? "(untitled)" : conversation.title, to: max(1, titleWidth))
            let style = Style(color: active ? .accent : .standard, underline: selected && !focused, reverse: selected && focused)
            let row = rect.row + 1 + offset
            grid.fill(Rect(row: row, column: rect.column, width: rect.width, height: 1), style: selected && focused ? .inverse : .plain)
            var x = grid.write(active ? "▸ " : "  ", row: row, column: rect.column, style: style, limit: rect.right)
            x = grid.write(title, row: row, column: x, style: style, limit: rect.right - DisplayWidth.of(age) - 1)
            grid.write(age, row: row, column: rect.right - DisplayWidth.of(age) - 1, style: selected && focused ? .inverse : .muted, limit: rect.right)
        }
        if state.list.hasMore && top + height >= rows.count {
            grid.write(" …", row: rect.bottom - 1, column: rect.column, style: .muted, limit: rect.right)
        }
    }
}

enum Ages {
    /// "now", "5m", "3h", "2d", "Nov 3".
    static func short(_ date: Date, now: Date, time: LocalTime) -> String {
        let seconds = now.timeIntervalSince(date)
        if seconds < 60 { return "now" }
        if seconds < 3600 { return "\(Int(seconds / 60))m" }
        if seconds < 86400 { return "\(Int(seconds / 3600))h" }
        if seconds < 86400 * 30 { return "\(Int(seconds / 86400))d" }
        return time.day(date)
    }
}

enum MessageView {
    static func header(_ message: Message, highlighted: Bool, time: LocalTime) -> StyledLine {
        let who: String
        let color: Style.Color
        switch message.role {
        case .user: (who, color) = ("You", .accent)
        case .assistant: (who, color) = ("Assistant", .good)
        case .system: (who, color) = ("System", .muted)
        }
        var spans = [Span(who, Style(color: color, bold: true, reverse: highlighted)), Span(" · " + time.clock(message.createdAt), .muted)]
        let services = message.detectedServices
        if !services.isEmpty {
            spans.append(Span("  "))
            for service in services { spans.append(Span("[\(service.rawValue)]", Style(color: .warning))); spans.append(Span(" ")) }
        }
        return StyledLine(spans)
    }

    static func footer(_ message: Message) -> StyledLine? {
        switch message.status {
        case .complete: return nil
        case .streaming: return StyledLine([Span("▍", .accent)])
        case .interrupted: return StyledLine([Span("⚠ interrupted: the reply stopped here", Style(color: .warning))])
        case .error: return StyledLine([Span("⚠ the reply failed", Style(color: .bad))])
        }
    }
}

enum TranscriptView {
    /// Draws the visible part of the transcript; returns its height in lines, in total and
    /// per message.
    static func draw(_ state: AppState, into grid: inout Grid, rect: Rect, cache: TranscriptLayoutCache) -> (Int, [MessageLines]) {
        let transcript = state.transcript
        guard rect.height > 0 else { return (0, []) }
        if transcript.messages.isEmpty {
            let texts = transcript.conversationID == nil ? welcome(state) : ["This conversation is empty."]
            let lines = texts.enumerated().flatMap { index, text in
                Wrap.lines([Span(text, index == 0 ? .bold : .muted)], width: rect.width)
            }
            for (index, line) in lines.prefix(rect.height).enumerated() {
                line.draw(into: &grid, row: rect.row + index, column: rect.column, width: rect.width)
            }
            return (0, [])
        }
        var lines: [StyledLine] = []
        if transcript.hasEarlier { lines.append(StyledLine([Span("↑ earlier messages (PgUp)", .muted)])) }
        var highlightLine: Int?
        var perMessage: [MessageLines] = []
        perMessage.reserveCapacity(transcript.messages.count)
        for message in transcript.messages {
            if message.id == transcript.highlight { highlightLine = lines.count }
            let messageLines = cache.lines(for: message, width: rect.width, highlighted: message.id == transcript.highlight, time: state.time)
            perMessage.append(MessageLines(id: message.id ?? -1, lines: messageLines.count))
            lines += messageLines
        }
        if transcript.hasLater { lines.append(StyledLine([Span("↓ later messages (PgDn)", .muted)])) }
        cache.keep(only: Set(transcript.messages.compactMap(\.id)))
        let maxScroll = max(0, lines.count - rect.height)
        var first = max(0, lines.count - rect.height - min(transcript.scrollFromBottom, maxScroll))
        if let highlightLine { first = min(highlightLine, maxScroll) }
        for (offset, line) in lines[first..<min(lines.count, first + rect.height)].enumerated() {
            line.draw(into: &grid, row: rect.row + offset, column: rect.column, width: rect.width)
        }
        if first + rect.height < lines.count {
            let more = "↓ \(lines.count - first - rect.height) more lines (PgDn)"
            grid.write(more, row: rect.bottom - 1, column: max(rect.column, rect.right - DisplayWidth.of(more)), style: .inverse, limit: rect.right)
        }
        return (lines.count, perMessage)
    }

    static func welcome(_ state: AppState) -> [String] {
        var lines = ["lume-tui — your Gmail, Calendar, Tasks and Keep from the terminal", ""]
        lines.append("Type a message and press Enter. Ctrl-J or Alt-Enter starts a new line.")
        lines.append("Each message shows which Google services it needs; access is asked for the first time one is.")
        if !state.account.clientConfigured {
            lines.append("Google sign-in is not set up yet: see the README, \"Setting up Google sign-in\".")
        } else if state.account.email == nil {
            lines.append("Not signed in: you will be asked when a message needs Google.")
        }
        lines.append("Past conversations are on the left (Ctrl-O); Ctrl-F searches them all. ? or F1 for every key.")
        return lines
    }
}

enum PromptView {
    static let marker = "› "

    /// A screen row of the prompt: where it starts and ends in the text (UTF-8 offsets).
    struct Row: Equatable {
        let start: Int
        let end: Int
        /// The first row of a line of the text, which shows the marker or the indent.
        let startsLine: Bool
        let isFirstLine: Bool
    }

    /// The rows around the caret, enough to fill `height` rows of screen, and where the
    /// caret falls among them.
    struct Window {
        var rows: [Row]
        var caretRow: Int
        var caretColumn: Int
    }

    /// How many rows the prompt needs at `width`, counting no further than `limit`: the
    /// layout only needs to know whether it fills the prompt area.
    static func rowCount(_ prompt: PromptEditor, width: Int, limit: Int) -> Int {
        let usable = max(1, width - 2)
        let text = prompt.text
        var count = 0
        var lineStart = 0
        let total = text.utf8.count
        while count < limit {
            let lineEnd = lineEndOffset(text, from: lineStart)
            count += wrap(text, lineStart, lineEnd, usable: usable, isFirstLine: lineStart == 0, limit: limit - count).count
            guard lineEnd < total else { break }
            lineStart = lineEnd + 1
        }
        return min(count, limit)
    }

    /// Wraps the caret's line and its neighbours until `height` rows on each side of the
    /// caret are known (or the text ends). A long prompt (a big paste) costs the length of
    /// the lines near the caret, and only rows on screen are ever turned into strings.
    static func window(_ prompt: PromptEditor, width: Int, height: Int) -> Window {
        let usable = max(1, width - 2)
        let text = prompt.text
        let total = text.utf8.count
        let caret = prompt.caretOffset
        let caretLineStart = lineStartOffset(text, before: caret)
        let caretLineEnd = lineEndOffset(text, from: caret)
        var rows = wrap(text, caretLineStart, caretLineEnd, usable: usable, isFirstLine: caretLineStart == 0, limit: .max)
        // The caret's row; at a row's very end only when its line ends there.
        var caretRow = rows.firstIndex { caret >= $0.start && (caret < $0.end || $0.end == caretLineEnd) } ?? rows.count - 1
        var before = caretLineStart
        while caretRow < height, before > 0 {
            let start = lineStartOffset(text, before: before - 1)
            let earlier = wrap(text, start, before - 1, usable: usable, isFirstLine: start == 0, limit: .max)
            rows.insert(contentsOf: earlier, at: 0)
            caretRow += earlier.count
            before = start
        }
        var after = caretLineEnd
        while rows.count - caretRow <= height, after < total {
            let end = lineEndOffset(text, from: after + 1)
            rows += wrap(text, after + 1, end, usable: usable, isFirstLine: false, limit: .max)
            after = end
        }
        let row = rows[caretRow]
        let column = 2 + DisplayWidth.of(String(text[index(text, row.start)..<index(text, caret)]))
        return Window(rows: rows, caretRow: caretRow, caretColumn: column)
    }

    /// The rows of one line of the text (`start..<end`, no newline inside), at most `limit`.
    private static func wrap(_ text: String, _ start: Int, _ end: Int, usable: Int, isFirstLine: Bool, limit: Int) -> [Row] {
        var rows: [Row] = []
        func add(_ from: Int, _ to: Int) { rows.append(Row(start: from, end: to, startsLine: from == start, isFirstLine: isFirstLine)) }
        var rowStart = start
        while end - rowStart > usable && rows.count < limit {
            // A row of plain ASCII (and an ASCII character after it, so nothing combines
            // across the cut) is one cell per byte: cut by counting, not by measuring.
            if isPlainASCII(text, rowStart, rowStart + usable + 1) {
                add(rowStart, rowStart + usable)
                rowStart += usable
                continue
            }
            var used = 0
            var offset = rowStart
            for character in text[index(text, rowStart)..<index(text, end)] {
                let cells = DisplayWidth.character(character)
                if used + cells > usable && offset > rowStart { break }
                used += cells
                offset += character.utf8.count
            }
            if offset == end { break }
            add(rowStart, offset)
            rowStart = offset
        }
        if rows.count < limit { add(rowStart, end) }
        return rows
    }

    private static func index(_ text: String, _ offset: Int) -> String.Index {
        text.utf8.index(text.startIndex, offsetBy: offset)
    }

    private static func isPlainASCII(_ text: String, _ start: Int, _ end: Int) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes[start..<end].allSatisfy { $0 >= 0x20 && $0 < 0x7F }
        } ?? false
    }

    private static func lineStartOffset(_ text: String, before offset: Int) -> Int {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        } ?? 0
    }

    private static func lineEndOffset(_ text: String, from offset: Int) -> Int {
        text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        } ?? text.utf8.count
    }

    /// A row as it is drawn, marker or indent first.
    static func line(_ row: Row, of prompt: PromptEditor) -> StyledLine {
        let prefix = row.startsLine && row.isFirstLine ? marker : "  "
        let text = prompt.text
        return StyledLine([Span(prefix, .accent), Span(String(text[index(text, row.start)..<index(text, row.end)]))])
    }

    static func draw(_ state: AppState, into grid: inout Grid, rect: Rect) {
        let window = window(state.prompt, width: rect.width, height: rect.height)
        let first = max(0, min(window.caretRow - rect.height + 1, window.rows.count - rect.height))
        for (offset, row) in window.rows.dropFirst(first).prefix(rect.height).enumerated() {
            line(row, of: state.prompt).draw(into: &grid, row: rect.row + offset, column: rect.column, width: rect.width)
        }
        if state.prompt.isEmpty {
            let hint = state.replyingTo != nil ? "a reply is arriving — Esc stops it" : "Message (Enter sends · Ctrl-J new line · ? help)"
            grid.write(hint, row: rect.row, column: rect.column + 2, style: .muted, limit: rect.right)
        }
        if state.focus == .prompt {
            grid.cursor = Position(row: rect.row + window.caretRow - first, column: min(rect.right - 1, window.caretColumn))
        }
    }
}

enum StatusView {
    static func draw(_ state: AppState, into grid: inout Grid, rect: Rect) {
        grid.fill(rect, style: .inverse)
        if let notice = state.notice {
            let style = Style(color: notice.kind == .error ? .bad : notice.kind == .warning ? .warning : .standard, reverse: true)
            grid.write(" " + notice.text, row: rect.row, column: rect.column, style: style, limit: rect.right)
            return
        }
        var parts: [String] = []
        if let email = state.account.email {
            parts.append(email)
            let services = Service.allCases.map { service -> String in
                let state = state.account.states[service] ?? .notRequested
                let mark = switch state {
                case .granted: "✓"
                case .partial: "◐"
                case .unavailable: "✗"
                case .declined: "✗"
                default: "·"
                }
                return service.rawValue + mark
            }
            parts.append(services.joined(separator: " "))
        } else {
            parts.append(state.account.clientConfigured ? "not signed in" : "Google not set up")
        }
        parts.append(state.providerName)
        switch state.connectivity {
        case .online: parts.append("online")
        case .offline: parts.append("offline")
        case .unknown: break
        }
        let left = " " + parts.joined(separator: " │ ")
        let right = "? help "
        grid.write(left, row: rect.row, column: rect.column, style: .inverse, limit: rect.right - DisplayWidth.of(right) - 1)
        grid.write(right, row: rect.row, column: rect.right - DisplayWidth.of(right), style: .inverse, limit: rect.right)
    }
}
