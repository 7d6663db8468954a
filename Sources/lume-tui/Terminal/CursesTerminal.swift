import CNcursesw
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The terminal through ncursesw: the only code that imports curses.
///
/// Raw mode (Ctrl-C and Ctrl-Z arrive as keys), no mouse capture (the terminal's own
/// selection keeps working), bracketed paste on, and the terminal restored on every exit:
/// `close`, `atexit`, and fatal signals.
final class CursesTerminal: Terminal {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let screen: OpaquePointer
    private let colors: Bool
    private var closed = false
    private var pasteBuffer: String?

    // Codes for sequences curses does not know on its own (defined with define_key).
    private static let pasteStart: Int32 = 0x7F00
    private static let pasteEnd: Int32 = 0x7F01
    private static let ctrlLeft: Int32 = 0x7F02
    private static let ctrlRight: Int32 = 0x7F03
    private static let altUp: Int32 = 0x7F04
    private static let altDown: Int32 = 0x7F05

    nonisolated(unsafe) private static var active: CursesTerminal?

    /// Takes over the terminal. `colors`: false under NO_COLOR.
    init(colors: Bool) throws {
        if setlocale(LC_ALL, "") == nil || !Self.localeIsUTF8() {
            // Wide characters need a UTF-8 locale; C.UTF-8 exists everywhere glibc does.
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw Failure(description: "the chat UI needs a terminal (stdin and stdout); use `lume-tui send` in scripts")
        }
        guard let screen = newterm(nil, lume_stdout(), lume_stdin()) else {
            throw Failure(description: "cannot start the terminal UI (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset"))")
        }
        self.screen = screen
        self.colors = colors && has_colors()
        raw()
        noecho()
        nonl()
        keypad(lume_stdscr(), true)
        set_escdelay(25)
        if self.colors {
            start_color()
            use_default_colors()
            let pairs: [(Int16, Int16)] = [(1, Int16(COLOR_CYAN)), (2, Int16(COLOR_GREEN)), (3, Int16(COLOR_YELLOW)),
                                           (4, Int16(COLOR_RED)), (5, Int16(COLOR_MAGENTA)), (6, Int16(COLOR_BLUE))]
            for (pair, color) in pairs { init_pair(pair, color, -1) }
        }
        define_key("\u{1B}[200~", Self.pasteStart)
        define_key("\u{1B}[201~", Self.pasteEnd)
        for sequence in ["\u{1B}[1;5D", "\u{1B}[5D", "\u{1B}O5D"] { define_key(sequence, Self.ctrlLeft) }
        for sequence in ["\u{1B}[1;5C", "\u{1B}[5C", "\u{1B}O5C"] { define_key(sequence, Self.ctrlRight) }
        define_key("\u{1B}[1;3A", Self.altUp)
        define_key("\u{1B}[1;3B", Self.altDown)
        Self.writeRaw("\u{1B}[?2004h")
        Self.active = self
        atexit { CursesTerminal.active?.close() }
        for signal in [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT] {
            Glibc.signal(signal) { number in
                // Best effort on a crash: give the user a usable terminal back, then die.
                endwin()
                CursesTerminal.writeRaw("\u{1B}[?2004l")
                Glibc.signal(number, SIG_DFL)
                raise(number)
            }
        }
    }

    deinit { close() }

    var size: Size { Size(columns: Int(lume_getmaxx(lume_stdscr())), rows: Int(lume_getmaxy(lume_stdscr()))) }

    func readInput(timeout: Int) -> [TerminalInput] {
        var inputs: [TerminalInput] = []
        var wait = Int32(timeout)
        while true {
            wtimeout(lume_stdscr(), wait)
            var character: wint_t = 0
            let result = wget_wch(lume_stdscr(), &character)
            if result == lume_err() { break }
            if let input = decode(result, character) { inputs.append(input) }
            // Drain whatever else is already waiting (a paste, fast typing) without blocking.
            wait = 0
            if inputs.count > 4096 { break }
        }
        return inputs
    }

    private func decode(_ result: Int32, _ character: wint_t) -> TerminalInput? {
        let code = Int32(bitPattern: UInt32(character))
        if result == lume_key_code_yes() {
            switch code {
            case Self.pasteStart:
                pasteBuffer = ""
                return nil
            case Self.pasteEnd:
                defer { pasteBuffer = nil }
                return pasteBuffer.map(TerminalInput.paste)
            default:
                break
            }
            if pasteBuffer != nil { return nil }
            switch code {
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_LEFT: return .key(.left)
            case KEY_RIGHT: return .key(.right)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_BACKSPACE: return .key(.backspace)
            case KEY_DC: return .key(.delete)
            case KEY_BTAB: return .key(.backTab)
            case KEY_ENTER: return .key(.enter)
            case lume_key_resize(): return .resize(size)
            case Self.ctrlLeft: return .key(.ctrlLeft)
            case Self.ctrlRight: return .key(.ctrlRight)
            case Self.altUp: return .key(.altUp)
            case Self.altDown: return .key(.altDown)
            case (KEY_F0 + 1)...(KEY_F0 + 12): return .key(.function(Int(code - KEY_F0)))
            default: return nil
            }
        }
        guard let scalar = Unicode.Scalar(UInt32(character)) else { return nil }
        if pasteBuffer != nil {
            pasteBuffer!.unicodeScalars.append(scalar == "\r" ? "\n" : scalar)
            return nil
        }
        switch scalar.value {
        case 13: return .key(.enter)
        case 10: return .key(.newline)
        case 9: return .key(.tab)
        case 127, 8: return .key(.backspace)
        case 27: return escapeOrAlt()
        case 1...26: return .key(.ctrl(Character(Unicode.Scalar(scalar.value + 96)!)))
        case 0..<32: return nil
        default: return .key(.character(Character(scalar)))
        }
    }

    /// ESC alone, or ESC followed at once by a key: Alt plus that key.
    private func escapeOrAlt() -> TerminalInput {
        wtimeout(lume_stdscr(), 0)
        var character: wint_t = 0
        let result = wget_wch(lume_stdscr(), &character)
        guard result != lume_err(), result != lume_key_code_yes(), let scalar = Unicode.Scalar(UInt32(character)) else {
            return .key(.escape)
        }
        switch scalar.value {
        case 13, 10: return .key(.newline)
        case 127, 8: return .key(.ctrl("w"))
        default: return .key(.alt(Character(scalar)))
        }
    }

    func draw(_ grid: Grid) {
        let window = lume_stdscr()
        for row in 0..<grid.size.rows {
            var column = 0
            while column < grid.size.columns {
                let style = grid[row, column].style
                var run: [wchar_t] = []
                let start = column
                while column < grid.size.columns, grid[row, column].style == style {
                    let cell = grid[row, column]
                    if !cell.isContinuation {
                        for scalar in cell.text.unicodeScalars { run.append(wchar_t(bitPattern: scalar.value)) }
                    }
                    column += 1
                }
                wattr_set(window, attributes(style), colorPair(style), nil)
                run.withUnsafeBufferPointer { buffer in
                    _ = mvwaddnwstr(window, Int32(row), Int32(start), buffer.baseAddress, Int32(buffer.count))
                }
            }
        }
        wattr_set(window, lume_attr_normal(), 0, nil)
        if let cursor = grid.cursor {
            curs_set(1)
            wmove(window, Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        wrefresh(window)
    }

    private func attributes(_ style: Style) -> attr_t {
        var attributes = lume_attr_normal()
        if style.bold { attributes |= lume_attr_bold() }
        if style.dim || style.color == .muted { attributes |= lume_attr_dim() }
        if style.italic { attributes |= lume_attr_italic() }
        if style.underline { attributes |= lume_attr_underline() }
        if style.reverse { attributes |= lume_attr_reverse() }
        if !colors && style.color == .heading { attributes |= lume_attr_bold() }
        return attributes
    }

    private func colorPair(_ style: Style) -> Int16 {
        guard colors else { return 0 }
        switch style.color {
        case .standard, .muted: return 0
        case .accent: return 1
        case .good: return 2
        case .warning: return 3
        case .bad: return 4
        case .code: return 5
        case .heading: return 6
        }
    }

    func copyToClipboard(_ text: String) {
        Self.writeRaw("\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}")
    }

    func suspend(_ body: () -> Void) {
        Self.writeRaw("\u{1B}[?2004l")
        def_prog_mode()
        endwin()
        body()
        reset_prog_mode()
        Self.writeRaw("\u{1B}[?2004h")
        clearok(lume_stdscr(), true)
        wrefresh(lume_stdscr())
    }

    func close() {
        guard !closed else { return }
        closed = true
        Self.writeRaw("\u{1B}[?2004l")
        endwin()
        delscreen(screen)
        if Self.active === self { Self.active = nil }
    }

    private static func writeRaw(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = write(STDOUT_FILENO, bytes.baseAddress, bytes.count) }
    }

    private static func localeIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased()
        return name == "UTF-8" || name == "UTF8"
    }
}
