import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// UTC timestamps and zero-padded numbers without Foundation's formatters.
///
/// Why: creating an ICU date formatter costs about a millisecond (listing 50 conversations
/// as JSON spent most of its time there) and maps ICU's data into the process. Local
/// times are `LocalTime`'s.
public enum TimeFormat {
    /// "2026-11-27T14:05:09Z"; with `milliseconds`, "2026-11-27T14:05:09.123Z".
    public static func iso8601(_ date: Date, milliseconds: Bool = false) -> String {
        let seconds = date.timeIntervalSince1970
        let millis = milliseconds ? Int((seconds - floor(seconds)) * 1000) : nil
        return utc(Int64(floor(seconds)), millisecond: millis, separator: "T") + "Z"
    }

    /// "2026-11-27 14:05:09" (with `separator` between date and time), then ".123" when a
    /// millisecond is given: the UTC wall clock of a whole second since 1970.
    static func utc(_ seconds: Int64, millisecond: Int?, separator: String) -> String {
        var whole = time_t(seconds)
        var parts = tm()
        gmtime_r(&whole, &parts)
        let text = "\(padded(Int(parts.tm_year) + 1900, to: 4))-\(padded(Int(parts.tm_mon) + 1))-\(padded(Int(parts.tm_mday)))"
            + "\(separator)\(padded(Int(parts.tm_hour))):\(padded(Int(parts.tm_min))):\(padded(Int(parts.tm_sec)))"
        return millisecond.map { text + "." + padded($0, to: 3) } ?? text
    }

    /// `value` with leading zeros to `width` digits: 7 → "07".
    public static func padded(_ value: Int, to width: Int = 2) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
