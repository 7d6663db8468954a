import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Date formatting without Foundation's formatters.
///
/// Why: creating an ICU date formatter costs about a millisecond, and listing 50
/// conversations as JSON spent most of its time there. `gmtime_r`/`localtime_r` are
/// microseconds, and `localtime_r` honours `TZ` like every other terminal tool.
public enum TimeFormat {
    /// "2026-11-27T14:05:09Z"; with `milliseconds`, "2026-11-27T14:05:09.123Z".
    public static func iso8601(_ date: Date, milliseconds: Bool = false) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(floor(seconds))
        var parts = tm()
        gmtime_r(&whole, &parts)
        var text = "\(year(parts))-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
        if milliseconds {
            let millis = Int((seconds - floor(seconds)) * 1000)
            text += "." + String(repeating: "0", count: 3 - String(millis).count) + String(millis)
        }
        return text + "Z"
    }

    /// "2026-11-27 14:05" in the local time zone.
    public static func localMinute(_ date: Date) -> String {
        let parts = local(date)
        return "\(year(parts))-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday)) \(two(parts.tm_hour)):\(two(parts.tm_min))"
    }

    /// "14:05" in the local time zone.
    public static func localClock(_ date: Date) -> String {
        let parts = local(date)
        return "\(two(parts.tm_hour)):\(two(parts.tm_min))"
    }

    private static func local(_ date: Date) -> tm {
        var whole = time_t(floor(date.timeIntervalSince1970))
        var parts = tm()
        localtime_r(&whole, &parts)
        return parts
    }

    private static func year(_ parts: tm) -> String { String(parts.tm_year + 1900) }
    private static func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
