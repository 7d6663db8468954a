/// What the terminal reports.
enum TerminalInput: Equatable {
    case key(Key)
    /// Everything between the bracketed-paste markers, as one piece.
    case paste(String)
    case resize(Size)
}

/// The screen and keyboard, behind a protocol: `CursesTerminal` is the real one, tests use
/// a fake that records frames.
protocol Terminal: AnyObject {
    var size: Size { get }
    /// Waits up to `timeout` milliseconds for input.
    func readInput(timeout: Int) -> [TerminalInput]
    /// Shows the grid: only what changed since the last frame reaches the terminal.
    func draw(_ grid: Grid)
    /// Puts text on the system clipboard through the terminal (OSC 52).
    func copyToClipboard(_ text: String)
    /// Leaves the full-screen mode to run `body` (an editor), then restores it.
    func suspend(_ body: () -> Void)
    /// Restores the terminal as it was. Safe to call more than once.
    func close()
}
