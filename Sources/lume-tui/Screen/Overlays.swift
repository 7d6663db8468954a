import Foundation
import LumeKit

/// Dialogs and panels drawn over the main view, in a bordered box.
enum OverlayView {
    static func draw(_ overlay: Overlay, state: AppState, into grid: inout Grid) {
        switch overlay {
        case .help: help(state, into: &grid)
        case let .search(panel): search(panel, state: state, into: &grid)
        case let .rename(_, field): rename(field, into: &grid)
        case let .confirmDelete(_, title): confirmDelete(title, into: &grid)
        case let .permission(dialog): permission(dialog, state: state, into: &grid)
        case let .confirmAction(dialog): confirmAction(dialog, into: &grid)
        case let .signIn(panel): signIn(panel, state: state, into: &grid)
        case .tooSmall: break
        }
    }

    /// Draws a box of `lines` (wrapped to fit) with a title and a footer of keys; returns
    /// the rectangle inside the border.
    @discardableResult
    static func box(_ title: String, _ lines: [StyledLine], footer: String, into grid: inout Grid, width preferred: Int = 64) -> Rect {
        let size = grid.size
        let width = min(preferred, size.columns - 2)
        let inner = width - 4
        let wrapped = lines.flatMap { line -> [StyledLine] in
            line.clipped ? [line] : Wrap.lines(line.spans, width: inner)
        }
        let height = min(size.rows - 2, wrapped.count + 4)
        let top = max(0, (size.rows - height) / 2)
        let left = max(0, (size.columns - width) / 2)
        let frame = Rect(row: top, column: left, width: width, height: height)
        grid.fill(frame)
        let border = Style(color: .accent)
        grid.write("┌" + String(repeating: "─", count: width - 2) + "┐", row: top, column: left, style: border)
        grid.write(" " + DisplayWidth.truncate(title, to: width - 6) + " ", row: top, column: left + 2, style: Style(color: .accent, bold: true))
        for row in (top + 1)..<(top + height - 1) {
            grid.write("│", row: row, column: left, style: border)
            grid.write("│", row: row, column: left + width - 1, style: border)
        }
        grid.write("└" + String(repeating: "─", count: width - 2) + "┘", row: top + height - 1, column: left, style: border)
        let keys = DisplayWidth.truncate(footer, to: width - 6)
        grid.write(" " + keys + " ", row: top + height - 1, column: left + width - DisplayWidth.of(keys) - 4, style: .muted)
        let content = Rect(row: top + 2, column: left + 2, width: inner, height: height - 4)
        for (index, line) in wrapped.prefix(content.height).enumerated() {
            line.draw(into: &grid, row: content.row + index, column: content.column, width: content.width)
        }
        return content
    }

    static let keyHelp: [(String, String)] = [
        ("Enter", "send the message"),
        ("Ctrl-J, Alt-Enter", "new line in the message"),
        ("Ctrl-A / Ctrl-E", "start / end of line"),
        ("Alt-B / Alt-F, Ctrl-←/→", "word back / forward"),
        ("Ctrl-K / Ctrl-U / Ctrl-W", "delete to end / to start / word back (Ctrl-Y puts it back)"),
        ("↑ / ↓", "earlier prompts (kept across runs)"),
        ("Ctrl-X Ctrl-E", "write the message in $EDITOR"),
        ("PgUp / PgDn", "scroll the conversation a page"),
        ("Alt-↑ / Alt-↓", "scroll a line"),
        ("Esc", "stop a reply that is arriving"),
        ("Ctrl-N", "new conversation"),
        ("Ctrl-O, Tab", "conversation list: ↑↓ choose, Enter open, r rename, d delete, a archive"),
        ("Ctrl-R", "rename this conversation"),
        ("Ctrl-F", "search every conversation"),
        ("Alt-Y / Alt-C", "copy the last reply / last code block (OSC 52)"),
        ("F2", "show or hide the conversation list"),
        ("? or F1", "this help"),
        ("Ctrl-Q, Ctrl-C", "quit (what you typed is kept)"),
    ]

    static func help(_ state: AppState, into grid: inout Grid) {
        let keyWidth = keyHelp.map { DisplayWidth.of($0.0) }.max() ?? 10
        var lines = keyHelp.map { key, what in
            StyledLine([Span(DisplayWidth.pad(key, to: keyWidth) + "  ", .accent), Span(what)], clipped: true)
        }
        lines.append(.empty)
        lines.append(StyledLine([Span("Select text with the mouse as usual: lume-tui does not capture it.", .muted)]))
        box("Keys", lines, footer: "any key closes", into: &grid, width: 84)
    }

    static func field(_ editor: PromptEditor, width: Int) -> StyledLine {
        StyledLine([Span("› ", .accent), Span(DisplayWidth.truncate(editor.text, to: width - 3)), Span("▏", .accent)])
    }

    static func search(_ panel: SearchPanel, state: AppState, into grid: inout Grid) {
        var lines = [field(panel.field, width: 80), .empty]
        if panel.results.isEmpty {
            let note = panel.searchedFor.isEmpty ? "Type words to find in every conversation, archived ones too." : "No messages match \"\(panel.searchedFor)\"."
            lines.append(StyledLine([Span(note, .muted)]))
        }
        for (index, hit) in panel.results.prefix(max(1, state.size.rows - 10) / 2).enumerated() {
            let selected = index == panel.selected
            let title = hit.conversationTitle.isEmpty ? "(untitled)" : hit.conversationTitle
            lines.append(StyledLine([Span(selected ? "▸ " : "  ", .accent),
                                     Span(title, Style(bold: true, reverse: selected)),
                                     Span("  " + state.time.day(hit.createdAt) + " " + state.time.clock(hit.createdAt) + (hit.archived ? " · archived" : ""), .muted)], clipped: true))
            lines.append(StyledLine(snippet(hit.snippet), clipped: true))
        }
        box("Search", lines, footer: "Enter search/open · ↑↓ choose · Esc close", into: &grid, width: 90)
    }

    /// A snippet with its matched words highlighted.
    static func snippet(_ text: String) -> [Span] {
        var spans = [Span("    ")]
        var marked = false
        var current = ""
        for character in text.replacingOccurrences(of: "\n", with: " ") {
            if String(character) == SearchHit.markStart || String(character) == SearchHit.markEnd {
                if !current.isEmpty { spans.append(Span(current, marked ? Style(color: .warning, bold: true) : .muted)) }
                current = ""
                marked = String(character) == SearchHit.markStart
            } else {
                current.append(character)
            }
        }
        if !current.isEmpty { spans.append(Span(current, marked ? Style(color: .warning, bold: true) : .muted)) }
        return spans
    }

    static func rename(_ field: PromptEditor, into grid: inout Grid) {
        box("Rename conversation", [OverlayView.field(field, width: 60)], footer: "Enter save · Esc cancel", into: &grid)
    }

    static func confirmDelete(_ title: String, into grid: inout Grid) {
        box("Delete conversation?", [
            StyledLine([Span("\"\(title.isEmpty ? "(untitled)" : title)\"", .bold)]),
            StyledLine([Span("Its messages are deleted for good and leave search. Archive (a) keeps them instead.")]),
        ], footer: "y delete · any other key keeps it", into: &grid)
    }

    /// The exact draft, then the question; nothing is done until y.
    static func confirmAction(_ dialog: ActionDialog, into grid: inout Grid) {
        var lines = dialog.lines.map { line -> StyledLine in
            if let colon = line.firstIndex(of: ":"), line.distance(from: line.startIndex, to: colon) <= 8, !line.hasPrefix(" ") {
                let label = String(line[...colon])
                return StyledLine([Span(label, .muted), Span(String(line[line.index(after: colon)...]))])
            }
            return StyledLine([Span(line)])
        }
        lines.append(StyledLine([Span("")]))
        lines.append(StyledLine([Span("Nothing is done until you press y.", .muted)]))
        box(dialog.question, lines, footer: "y \(dialog.verb)" + (dialog.editable ? " · e edit" : "") + " · n cancel", into: &grid, width: 72)
    }

    static func permission(_ dialog: PermissionDialog, state: AppState, into grid: inout Grid) {
        var lines = [StyledLine([Span("\"" + DisplayWidth.truncate(dialog.message.content.replacingOccurrences(of: "\n", with: " "), to: 120) + "\"", .muted)]), .empty]
        guard state.account.clientConfigured else {
            lines.append(StyledLine([Span("This message needs " + dialog.services.map(\.rawValue).joined(separator: ", ") + ", but Google sign-in is not set up.")]))
            lines.append(.empty)
            lines.append(StyledLine([Span("Put an OAuth client of type \"Desktop app\" under [google] (client_id, client_secret) in " + state.configFile
                                          + ", or set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, then restart. The README's \"Setting up Google sign-in\" has the steps.")]))
            box("Google access needed", lines, footer: "Esc answer without it", into: &grid, width: 76)
            return
        }
        lines.append(StyledLine([Span("Allow lume-tui to use:")]))
        for (index, service) in dialog.services.enumerated() {
            let box = dialog.checked.contains(service) ? "[x]" : "[ ]"
            let selected = index == dialog.selected
            lines.append(StyledLine([Span(selected ? "▸ " : "  ", .accent), Span(box + " " + title(service), Style(reverse: selected)),
                                     Span(" — " + purpose(service), .muted)]))
        }
        lines.append(.empty)
        if !dialog.signedIn {
            lines.append(StyledLine([Span("You are not signed in: your browser asks who you are first, then for these.", Style(color: .warning))]))
        } else {
            lines.append(StyledLine([Span("Your browser opens Google's consent page; the message is answered when you return.", .muted)]))
        }
        if dialog.services.contains(.keep) {
            lines.append(StyledLine([Span("Keep is asked for on its own: Google offers it to Workspace accounts only.", .muted)]))
        }
        if let explanation = dialog.explanation { lines.append(StyledLine([Span(explanation, Style(color: .warning))])) }
        box("This message needs Google access", lines, footer: "Enter continue · Space tick · Esc answer without", into: &grid, width: 76)
    }

    static func title(_ service: Service) -> String {
        switch service {
        case .email: "Gmail"
        case .calendar: "Calendar"
        case .tasks: "Tasks"
        case .keep: "Keep"
        }
    }

    static func purpose(_ service: Service) -> String {
        switch service {
        case .email: "read, search and send mail"
        case .calendar: "see and add events"
        case .tasks: "see, add and complete to-dos"
        case .keep: "read notes"
        }
    }

    static func signIn(_ panel: SignInPanel, state: AppState, into grid: inout Grid) {
        let what = panel.stage == .identity ? "Signing in to Google" : "Granting " + panel.stage.requestedServices.map(title).joined(separator: ", ")
        var lines: [StyledLine] = []
        guard let prompt = panel.prompt else {
            box(what, [StyledLine([Span("Starting…", .muted)])], footer: "Esc cancel", into: &grid, width: 80)
            return
        }
        switch prompt.browser {
        case .opened: lines.append(StyledLine([Span("Your browser is open at Google's page. Finish there, then come back here.")]))
        case let .failed(_, reason): lines.append(StyledLine([Span("Could not open a browser (\(reason)). Open this URL yourself:", Style(color: .warning))]))
        case .headless: lines.append(StyledLine([Span("No browser on this machine. Open this URL in a browser anywhere:", Style(color: .warning))]))
        case .notRequested: lines.append(StyledLine([Span("Open this URL in a browser:")]))
        }
        lines.append(.empty)
        lines.append(StyledLine([Span(prompt.url, Style(color: .accent))]))
        lines.append(.empty)
        let remaining = max(0, Int(prompt.expiresAt.timeIntervalSince(state.now)))
        lines.append(StyledLine([Span(String(format: "Waiting for the browser: %d:%02d left", remaining / 60, remaining % 60), .bold)]))
        lines.append(StyledLine([Span("On another machine? Paste the address the browser ends on (p), or forward the port: " + prompt.sshHint, .muted)]))
        if let field = panel.pasteField { lines.append(OverlayView.field(field, width: 80)) }
        if let problem = panel.problem { lines.append(StyledLine([Span(problem, Style(color: .bad))])) }
        for result in panel.results { lines.append(StyledLine([Span(result, .muted)])) }
        let footer = panel.pasteField == nil ? "o open again · y copy URL · p paste URL · Esc cancel" : "Enter submit · Esc back"
        box(what, lines, footer: footer, into: &grid, width: 84)
    }
}
