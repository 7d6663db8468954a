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
enum Console {
    static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func printLine(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stdinIsTTY: Bool { isatty(STDIN_FILENO) == 1 }
}
