import Foundation

/// How often and how long to retry a 429 or 5xx answer, for Google's APIs and its token
/// endpoint alike.
///
/// Without a Retry-After, waits grow exponentially (1, 2, 4 s …, at most `maxDelay`). A
/// server that asks to wait is obeyed, up to `longestWait` — long enough for Google's usual
/// "come back in a minute or two", short enough that nobody stares at a frozen reply. A
/// longer wait is not attempted: the failure says when to try again. Every wait of a few
/// seconds or more is announced through `RetryWaits`, so the person sees it and can cancel.
public struct RetryPolicy: Sendable {
    public var attempts: Int
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    public var longestWait: TimeInterval
    /// Shorter waits pass unannounced.
    public var announceFrom: TimeInterval

    public init(attempts: Int = 3, baseDelay: TimeInterval = 1, maxDelay: TimeInterval = 20, longestWait: TimeInterval = 300,
                announceFrom: TimeInterval = 3) {
        self.attempts = attempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.longestWait = longestWait
        self.announceFrom = announceFrom
    }

    /// What to do after a 429 or 5xx answer to try number `attempt` (1-based).
    public enum Decision: Equatable, Sendable {
        case wait(TimeInterval)
        /// No more tries; `until` is when the server said it would answer again, if it did.
        case giveUp(until: Date?)
    }

    public func decide(attempt: Int, retryAfter: String?, now: Date) -> Decision {
        let asked = retryAfter.flatMap { Self.seconds(retryAfter: $0, now: now) }
        if let asked, asked > longestWait { return .giveUp(until: now.addingTimeInterval(asked)) }
        guard attempt <= attempts else { return .giveUp(until: asked.map { now.addingTimeInterval($0) }) }
        return .wait(asked ?? min(maxDelay, baseDelay * pow(2, Double(attempt - 1))))
    }

    /// Retry-After as seconds from `now`: delta-seconds, or an HTTP date (RFC 9110 §10.2.3).
    static func seconds(retryAfter: String, now: Date) -> TimeInterval? {
        let value = retryAfter.trimmingCharacters(in: .whitespaces)
        if let seconds = TimeInterval(value), seconds.isFinite { return max(0, seconds) }
        return HTTPDate.parse(value).map { max(0, $0.timeIntervalSince(now)) }
    }

    /// Sleeps `seconds`, announcing the wait when it is long enough to notice. Throws
    /// `CancellationError` when the task is cancelled meanwhile (Esc, Ctrl-C).
    public func wait(_ seconds: TimeInterval, for who: String, now: Date = Date()) async throws {
        if seconds >= announceFrom {
            RetryWaits.announce(RetryNotice(who: who, until: now.addingTimeInterval(seconds)))
        }
        try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1e9))
    }
}

/// A wait the person should know about: who asked for it and until when.
public struct RetryNotice: Equatable, Sendable {
    /// "Google", "Google's sign-in server".
    public let who: String
    public let until: Date

    public init(who: String, until: Date) {
        self.who = who
        self.until = until
    }

    /// "Google asked to wait 2 minutes; trying again at 14:32".
    public func sentence(now: Date, clock: (Date) -> String) -> String {
        "\(who) asked to wait \(RetryWaits.duration(until.timeIntervalSince(now))); trying again at \(clock(until))"
    }
}

/// Where waits are announced: set for the duration of a reply (a task-local value, so
/// every request made for that reply, however deep, reaches the same listener).
public enum RetryWaits {
    /// The listener, in a class: a task-local holding an optional closure directly crashes
    /// optimized builds of this toolchain in `swift_task_localValuePush` (a four-line program
    /// reproduces it at -O; a class reference is fine).
    final class Listener: Sendable {
        let hear: @Sendable (RetryNotice) -> Void
        init(_ hear: @escaping @Sendable (RetryNotice) -> Void) { self.hear = hear }
    }

    @TaskLocal static var listener: Listener?

    /// Tells the listener of the current reply, if any, about a wait.
    static func announce(_ notice: RetryNotice) { listener?.hear(notice) }

    /// Runs `operation` with `hear` told of every wait it meets.
    public static func listening<T>(_ hear: @escaping @Sendable (RetryNotice) -> Void,
                                    _ operation: () async throws -> T) async rethrows -> T {
        try await $listener.withValue(Listener(hear)) { try await operation() }
    }

    /// "45 seconds", "1 minute", "2 minutes", "1 hour 5 minutes".
    public static func duration(_ seconds: TimeInterval) -> String {
        let total = Int(max(0, seconds).rounded())
        func unit(_ count: Int, _ name: String) -> String { "\(count) \(name)\(count == 1 ? "" : "s")" }
        if total < 60 { return unit(total, "second") }
        let minutes = (total + 59) / 60
        if minutes < 60 { return unit(minutes, "minute") }
        return unit(minutes / 60, "hour") + (minutes % 60 == 0 ? "" : " " + unit(minutes % 60, "minute"))
    }
}

/// The IMF-fixdate form of an HTTP date ("Sun, 06 Nov 1994 08:49:37 GMT"), without a
/// formatter (Foundation's would load ICU for one header).
enum HTTPDate {
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func parse(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])),
              let year = Int(parts[3])
        else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, (1...31).contains(day), (0...23).contains(time[0]), (0...59).contains(time[1]), (0...60).contains(time[2])
        else { return nil }
        let days = CivilDays.from(year: year, month: monthIndex + 1, day: day)
        return Date(timeIntervalSince1970: TimeInterval(days * 86400 + Int64(time[0] * 3600 + time[1] * 60 + time[2])))
    }
}
