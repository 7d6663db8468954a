import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Dates in the user's time zone, with the arithmetic Calendar and Tasks need: local
/// midnights, weekdays, RFC 3339 with offsets. Pure functions of a date and a zone (the
/// zone's rules come from the system's tz database), correct across DST changes.
public struct LocalTime: Sendable, Equatable {
    public let zone: ZoneRules

    public init(_ zone: ZoneRules) {
        self.zone = zone
    }

    /// The zone with this IANA name; nil when the tz database does not have it.
    public init?(named identifier: String) {
        guard let zone = ZoneRules.named(identifier) else { return nil }
        self.zone = zone
    }

    /// The user's zone (`TZ`, else /etc/localtime).
    public static var current: LocalTime { LocalTime(ZoneRules.current) }
    public static let utc = LocalTime(ZoneRules.utc)

    public struct Fields: Equatable, Sendable {
        public var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int
        /// 0 Sunday … 6 Saturday.
        public var weekday: Int
    }

    public func fields(_ date: Date) -> Fields {
        var seconds = time_t(floor(date.timeIntervalSince1970)) + time_t(zone.secondsFromGMT(for: date))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return Fields(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                      hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec), weekday: Int(parts.tm_wday))
    }

    /// The instant of a local wall-clock time. A time that does not exist (skipped by a
    /// DST change) moves forward by the gap; an ambiguous one takes the earlier instant.
    public func date(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0) -> Date {
        let wall = Self.wallSeconds(year, month, day, hour, minute)
        // The offsets in force half a day either side cover any one transition. An offset
        // is right when the instant it gives really has that offset; with two right ones
        // (a repeated hour) the earlier wins; with none (a skipped hour) the offset from
        // before the change moves the time forward by the gap.
        let before = TimeInterval(zone.secondsFromGMT(for: Date(timeIntervalSince1970: wall - 43_200)))
        let after = TimeInterval(zone.secondsFromGMT(for: Date(timeIntervalSince1970: wall + 43_200)))
        let consistent = [before, after].map { wall - $0 }.filter {
            TimeInterval(zone.secondsFromGMT(for: Date(timeIntervalSince1970: $0))) == wall - $0
        }
        return Date(timeIntervalSince1970: consistent.min() ?? wall - before)
    }

    /// A wall-clock time read as if it were UTC, in seconds since 1970. Overflowing days
    /// carry: day 32 is the 1st of the next month.
    static func wallSeconds(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int = 0) -> TimeInterval {
        TimeInterval(CivilDays.from(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second))
    }

    public func startOfDay(_ date: Date) -> Date {
        let f = fields(date)
        return self.date(year: f.year, month: f.month, day: f.day)
    }

    /// The same wall-clock time `days` later (a day is not always 24 hours).
    public func adding(days: Int, to date: Date) -> Date {
        let f = fields(date)
        var seconds = time_t(Self.wallSeconds(f.year, f.month, f.day + days, 0, 0))
        var normalized = tm()
        gmtime_r(&seconds, &normalized)
        return self.date(year: Int(normalized.tm_year) + 1900, month: Int(normalized.tm_mon) + 1, day: Int(normalized.tm_mday), hour: f.hour, minute: f.minute)
    }

    /// "2026-11-27T14:05:00+01:00": RFC 3339 with this zone's offset at that instant.
    public func rfc3339(_ date: Date) -> String {
        let f = fields(date)
        let offset = zone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset) / 60
        return "\(day(f))T\(two(f.hour)):\(two(f.minute)):\(two(f.second))\(sign)\(two(magnitude / 60)):\(two(magnitude % 60))"
    }

    /// "2026-11-27".
    public func day(_ date: Date) -> String {
        day(fields(date))
    }

    private func day(_ f: Fields) -> String {
        "\(TimeFormat.padded(f.year, to: 4))-\(two(f.month))-\(two(f.day))"
    }

    /// "2026-11-27 14:05": how the history commands show times.
    public func minute(_ date: Date) -> String {
        let f = fields(date)
        return "\(day(f)) \(two(f.hour)):\(two(f.minute))"
    }

    private func two(_ value: Int) -> String { TimeFormat.padded(value) }

    /// Reads RFC 3339 ("2026-11-27T14:05:00Z", "…+01:00", fractional seconds allowed) or a
    /// bare date ("2026-11-27", taken as local midnight).
    public func parse(_ text: String) -> Date? {
        let chars = Array(text)
        guard chars.count >= 10 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            return Int(String(chars[range]))
        }
        guard let year = number(0..<4), chars[4] == "-", let month = number(5..<7), chars[7] == "-", let day = number(8..<10) else { return nil }
        if chars.count == 10 { return date(year: year, month: month, day: day) }
        guard chars.count >= 19, chars[10] == "T" || chars[10] == " ", let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var index = 19
        var fraction = 0.0
        if index < chars.count, chars[index] == "." {
            var end = index + 1
            while end < chars.count, chars[end].isNumber { end += 1 }
            fraction = Double("0" + String(chars[index..<end])) ?? 0
            index = end
        }
        guard index < chars.count else {
            // No offset: a local wall-clock time, with the same DST rules as `date`.
            return date(year: year, month: month, day: day, hour: hour, minute: minute).addingTimeInterval(TimeInterval(second) + fraction)
        }
        let wall = Self.wallSeconds(year, month, day, hour, minute, second) + fraction
        if chars[index] == "Z" || chars[index] == "z" { return Date(timeIntervalSince1970: wall) }
        guard chars[index] == "+" || chars[index] == "-", let offsetHours = number((index + 1)..<(index + 3)), let offsetMinutes = number((index + 4)..<(index + 6)) else { return nil }
        let offset = TimeInterval(offsetHours * 3600 + offsetMinutes * 60) * (chars[index] == "-" ? -1 : 1)
        return Date(timeIntervalSince1970: wall - offset)
    }

    static let weekdayNames = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let monthNames = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// "Thu 27 Nov 14:05": how times are shown in replies and drafts.
    public func describe(_ date: Date, withTime: Bool = true) -> String {
        let f = fields(date)
        let day = "\(Self.weekdayNames[f.weekday].prefix(3)) \(f.day) \(Self.monthNames[f.month - 1].prefix(3))"
        return withTime ? day + " \(two(f.hour)):\(two(f.minute))" : day
    }

    /// "14:05".
    public func clock(_ date: Date) -> String {
        let f = fields(date)
        return "\(two(f.hour)):\(two(f.minute))"
    }
}
