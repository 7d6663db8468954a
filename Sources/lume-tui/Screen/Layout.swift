import Foundation
import LumeKit

/// Where each part of the screen goes at the current size.
struct Layout: Equatable {
    let tooSmall: Bool
    let list: Rect
    let transcript: Rect
    let separatorRow: Int
    let prompt: Rect
    let status: Rect

    static let maxPromptLines = 6

    init(_ state: AppState) {
        let size = state.size
        tooSmall = size.columns < App.minimumSize.columns || size.rows < App.minimumSize.rows
        let promptLines = max(1, PromptView.rowCount(state.prompt, width: size.columns, limit: Self.maxPromptLines))
        status = Rect(row: size.rows - 1, column: 0, width: size.columns, height: 1)
        prompt = Rect(row: size.rows - 1 - promptLines, column: 0, width: size.columns, height: promptLines)
        separatorRow = prompt.row - 1
        let listWidth = state.showList && size.columns >= 70 ? min(34, size.columns * 3 / 10) : 0
        list = Rect(row: 0, column: 0, width: listWidth, height: max(0, separatorRow))
        let transcriptColumn = listWidth > 0 ? listWidth + 1 : 0
        transcript = Rect(row: 0, column: transcriptColumn + 1, width: max(1, size.columns - transcriptColumn - 2), height: max(0, separatorRow))
    }
}

/// Laid-out messages, kept between frames: a message is laid out again only when its text,
/// status or the width changes, and a streaming reply only from its last unfinished block.
final class TranscriptLayoutCache {
    private struct Entry {
        var width: Int
        var content: String
        var status: MessageStatus
        var highlighted: Bool
        var lines: [StyledLine]
    }

    private var entries: [Int64: Entry] = [:]
    private var markdown: [Int64: MarkdownLayout] = [:]
    /// How many messages were laid out (fully or incrementally) since creation: the
    /// benchmark and tests read it.
    private(set) var layouts = 0

    func lines(for message: Message, width: Int, highlighted: Bool, time: LocalTime) -> [StyledLine] {
        let id = message.id ?? -1
        if let entry = entries[id], entry.width == width, entry.content == message.content, entry.status == message.status,
           entry.highlighted == highlighted {
            return entry.lines
        }
        layouts += 1
        var lines = [MessageView.header(message, highlighted: highlighted, time: time)]
        if message.role == .assistant {
            var layout = markdown[id] ?? MarkdownLayout()
            lines += layout.lines(for: message.content, width: width)
            markdown[id] = layout
        } else {
            lines += Wrap.lines([Span(message.content)], width: width)
        }
        if let footer = MessageView.footer(message) { lines.append(footer) }
        lines.append(.empty)
        entries[id] = Entry(width: width, content: message.content, status: message.status, highlighted: highlighted, lines: lines)
        return lines
    }

    /// Drops entries for messages no longer shown.
    func keep(only ids: Set<Int64>) {
        if entries.count > ids.count * 2 + 64 {
            entries = entries.filter { ids.contains($0.key) }
            markdown = markdown.filter { ids.contains($0.key) }
        }
    }
}
