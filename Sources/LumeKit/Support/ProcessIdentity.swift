import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names one running process for as long as it lives: its pid and its start time.
///
/// Why the start time: a pid is reused once its process is gone, so "pid 4242 is alive"
/// says nothing about the lume-tui that was 4242 yesterday. Linux records when each
/// process started (`/proc/PID/stat`, field 22, in clock ticks since boot); pid and start
/// time together are never reused. Where `/proc` is missing, the pid alone is used.
public struct ProcessIdentity: Equatable, Sendable, CustomStringConvertible {
    public let pid: Int32
    public let startTime: UInt64?

    public init(pid: Int32, startTime: UInt64?) {
        self.pid = pid
        self.startTime = startTime
    }

    /// This process.
    public static let current = ProcessIdentity(pid: getpid(), startTime: startTime(of: getpid()))

    /// `"4242:178331"`, or `"4242"` without a start time: how it is stored.
    public var description: String { startTime.map { "\(pid):\($0)" } ?? "\(pid)" }

    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let pid = Int32(parts[0]), pid > 0 else { return nil }
        if parts.count == 2 {
            guard let start = UInt64(parts[1]) else { return nil }
            self.init(pid: pid, startTime: start)
        } else {
            self.init(pid: pid, startTime: nil)
        }
    }

    /// Whether the process this names is still running.
    public var isAlive: Bool {
        if let startTime {
            // A different start time means the pid now belongs to someone else; a zombie
            // has ended and only waits for its parent to collect it.
            if let (state, now) = Self.stat(of: pid) { return now == startTime && state != "Z" && state != "X" }
            if FileManager.default.fileExists(atPath: "/proc/self/stat") { return false }
        }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    static func startTime(of pid: Int32) -> UInt64? { stat(of: pid)?.startTime }

    /// Fields 3 (state) and 22 (start time) of `/proc/PID/stat`. The command name
    /// (field 2) may hold spaces and parentheses, so fields are counted after its last `)`.
    private static func stat(of pid: Int32) -> (state: Substring, startTime: UInt64)? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/stat"),
              let text = String(data: data, encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the name: state is field 3 (the 1st here), start time 22 (the 20th).
        guard fields.count > 19, let start = UInt64(fields[19]) else { return nil }
        return (fields[0], start)
    }
}
