import ArgumentParser
import Foundation
import LumeKit

/// Exit codes scripts can rely on (CONTRACT.md).
enum ExitStatus {
    static let success: Int32 = 0
    static let failure: Int32 = 1
    static let usage: Int32 = 2
    static let signInNeeded: Int32 = 3
    static let declined: Int32 = 4
    static let configuration: Int32 = 78
    static let interrupted: Int32 = 130
}

/// A failure a command reports as one line on stderr and an exit code.
struct CommandFailure: Error {
    let message: String
    let code: Int32

    init(_ message: String, code: Int32 = ExitStatus.failure) {
        self.message = message
        self.code = code
    }
}

/// Runs a command body, turning every error into its message and exit code.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let (message, code) = describe(error)
        Console.printError("lume-tui: \(message)")
        throw ExitCode(code)
    }
}

func describe(_ error: Error) -> (String, Int32) {
    switch error {
    case let failure as CommandFailure:
        return (failure.message, failure.code)
    case let config as ConfigError:
        return ("configuration error: \(config)", ExitStatus.configuration)
    case let store as StoreError:
        return ("\(store)", ExitStatus.failure)
    case let signIn as SignInError:
        switch signIn {
        case .notConfigured: return ("\(signIn)", ExitStatus.configuration)
        case .notSignedIn: return ("\(signIn)", ExitStatus.signInNeeded)
        case .declined: return ("\(signIn)", ExitStatus.declined)
        case .cancelled: return ("\(signIn)", ExitStatus.declined)
        default: return ("\(signIn)", ExitStatus.failure)
        }
    case let tokens as AccessTokenError:
        switch tokens {
        case .notSignedIn, .signInAgain: return ("\(tokens)", ExitStatus.signInNeeded)
        case .refreshFailed: return ("\(tokens)", ExitStatus.failure)
        }
    default:
        return ("\(error)", ExitStatus.failure)
    }
}

/// stdout/stderr helpers. Output is flushed per line so pipes see it at once.
///
/// Everything printed may carry text from elsewhere (mail, a model's reply, a calendar
/// entry's title), and a terminal obeys the escape sequences in it: OSC 52 rewrites the
/// clipboard, others clear the screen or retitle the window. So text going to a terminal
/// shows control characters as visible symbols, as the chat UI does (`TerminalText`);
/// a pipe or a file gets the bytes exactly, and so does a terminal with `--raw`.
enum Console {
    /// Set by `--raw`: the user asked for the bytes as stored, even on a terminal.
    nonisolated(unsafe) static var raw = false

    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((shown(text, on: STDERR_FILENO) + "\n").utf8))
    }

    static func printLine(_ text: String) {
        write(text + "\n")
    }

    /// Writes `text` as it comes (a streamed reply's pieces), made safe like a line.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(shown(text, on: STDOUT_FILENO).utf8))
    }

    /// A line whose parts were already made safe with `visible`, carrying styling escapes
    /// of our own (reverse video for a search match): printed exactly.
    static func printStyledLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// `text` as it may go to standard output: controls made visible on a terminal.
    static func visible(_ text: String) -> String { shown(text, on: STDOUT_FILENO) }

    private static func shown(_ text: String, on descriptor: Int32) -> String {
        raw || isatty(descriptor) != 1 ? text : TerminalText.visible(text)
    }

    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTTY: Bool { isatty(STDIN_FILENO) == 1 }
}

/// `--raw`, for the commands that print stored or received text.
struct RawOutputOption: ParsableArguments {
    @Flag(help: "Print stored and received text byte for byte, even to a terminal (escape sequences included).")
    var raw = false

    /// Applies the choice for this process's output.
    func apply() { Console.raw = raw }
}

/// Text made harmless for a terminal: every control character but newline and tab is
/// shown as a visible symbol (␛ for ESC) instead of being obeyed. The same symbols as the
/// chat UI (`DisplayWidth.controlPicture`). A CR before a newline is dropped (mail's CRLF);
/// a lone CR, which would let text overwrite its own line, is shown.
enum TerminalText {
    static func visible(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsPicture) else { return text }
        var result = String.UnicodeScalarView()
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\r", index + 1 < scalars.count, scalars[index + 1] == "\n" { continue }
            if needsPicture(scalar), let picture = DisplayWidth.controlPicture(scalar) {
                result.append(contentsOf: picture.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    private static func needsPicture(_ scalar: Unicode.Scalar) -> Bool {
        scalar != "\n" && scalar != "\t" && DisplayWidth.controlPicture(scalar) != nil
    }
}
