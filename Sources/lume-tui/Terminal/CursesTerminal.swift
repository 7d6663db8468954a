import CNcursesw
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The terminal through ncursesw: the only code that imports curses.
///
/// Raw mode (Ctrl-C and Ctrl-Z arrive as keys), no mouse capture (the terminal's own
/// selection keeps working), bracketed paste on, and the terminal restored on every exit:
/// `close`, `atexit`, and fatal signals. curses draws; input is read here in large reads
/// and decoded by `KeyDecoder` (curses reads a byte per system call), and a window size
/// change arrives through a pipe written by our SIGWINCH handler.
final class CursesTerminal: Terminal {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private let screen: OpaquePointer
    private let colors: Bool
    private var closed = false
    private var decoder = KeyDecoder()
    /// How long a lone ESC waits for the rest of a sequence before it is Escape.
    private static let escapeDelay: Int32 = 25
    /// At most this much input is decoded per read, so the screen keeps up with a huge paste.
    private static let readLimit = 256 * 1024

    nonisolated(unsafe) private static var active: CursesTerminal?
    /// Written (one byte) by the SIGWINCH handler, read by `readInput`.
    nonisolated(unsafe) private static var resizePipe: (read: Int32, write: Int32) = (-1, -1)

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
        // Keypad mode: keys arrive in the forms KeyDecoder knows (SS3 arrows and the like).
        keypad(lume_stdscr(), true)
        if self.colors {
            start_color()
            use_default_colors()
            let pairs: [(Int16, Int16)] = [(1, Int16(COLOR_CYAN)), (2, Int16(COLOR_GREEN)), (3, Int16(COLOR_YELLOW)),
                                           (4, Int16(COLOR_RED)), (5, Int16(COLOR_MAGENTA)), (6, Int16(COLOR_BLUE))]
            for (pair, color) in pairs { init_pair(pair, color, -1) }
        }
        Self.watchResizes()
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
        var total = 0
        while total < Self.readLimit {
            var fds = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: Self.resizePipe.read, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, decoder.isWaiting ? Self.escapeDelay : wait)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 {
                // Nothing more: a lone ESC held back is Escape after all.
                if decoder.isWaiting { inputs += decoder.flush() }
                break
            }
            if fds[1].revents != 0, let resized = takeResize() { inputs.append(resized) }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                var buffer = [UInt8](repeating: 0, count: 65536)
                let count = read(STDIN_FILENO, &buffer, buffer.count)
                if count <= 0 { break }
                total += count
                inputs += decoder.feed(buffer[0..<count])
            }
            // Keep taking whatever else is already waiting (a paste, fast typing), without blocking.
            wait = 0
        }
        return inputs
    }

    /// SIGWINCH writes a byte to a pipe (all a signal handler may safely do); the UI
    /// thread reads it in `readInput` and tells curses the new size.
    private static func watchResizes() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        resizePipe = (ends[0], ends[1])
        Glibc.signal(SIGWINCH) { _ in
            var byte: UInt8 = 1
            _ = write(CursesTerminal.resizePipe.write, &byte, 1)
        }
    }

    private func takeResize() -> TerminalInput? {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(Self.resizePipe.read, &scratch, scratch.count) > 0 {}
        var rows: Int32 = 0, columns: Int32 = 0
        guard lume_terminal_size(STDOUT_FILENO, &rows, &columns) == 0, rows > 0, columns > 0 else { return nil }
        resizeterm(rows, columns)
        return .resize(size)
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
        decoder = KeyDecoder()
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
