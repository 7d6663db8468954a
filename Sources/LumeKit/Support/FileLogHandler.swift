import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler appending one line per entry to a private (0600) log file.
///
/// Why a file: curses owns the screen, and commands' stdout is for their output only.
/// Every line passes through `Redactor` first, as a second line of defence: the code
/// never logs secrets on purpose, and this catches one logged by mistake.
public struct FileLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: LogSink

    public init(label: String, sink: LogSink) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let time = TimeFormat.iso8601(Date(), milliseconds: true)
        var line = "\(time) \(event.level) [\(label)] \(event.message)"
        if !fields.isEmpty { line += " " + fields }
        sink.write(Redactor.redact(line) + "\n")
    }
}

/// The open log file, shared by every logger of the process.
public final class LogSink: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()

    /// Opens `path` for appending (creating it 0600 in a 0700 folder). Nil if that fails:
    /// logging must never stop the program.
    public init?(path: String) {
        do { try PrivateFiles.ensureFile(path) } catch { return nil }
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    func write(_ text: String) {
        lock.lock()
        defer { lock.unlock() }
        var text = text
        text.withUTF8 { buffer in _ = Glibc.write(fd, buffer.baseAddress, buffer.count) }
    }

    deinit { close(fd) }
}
