import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Dates as the store keeps them: "2026-11-27 14:05:09.123", UTC — GRDB's own text format,
/// so files written before read the same — but formatted with `gmtime_r` and parsed with
/// plain arithmetic instead of GRDB's defaults.
///
/// Why: GRDB formats dates with a `DateFormatter` and parses them through `Calendar`; on
/// Linux both are ICU, and their first use maps ICU's calendar and locale data — about 3 MB
/// of resident memory the chat UI otherwise never touches (its budget is 40 MB, issue 5).
/// Every record and every raw statement that binds or reads a date goes through here.
enum StoredDate {
    static func text(_ date: Date) -> String {
        // Nearest millisecond, so a date read back from its text writes the same text.
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(millis >= 0 ? millis / 1000 : (millis - 999) / 1000)
        let fraction = Int(millis - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2)) "
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(fraction, 3))"
    }

    /// Reads "YYYY-MM-DD HH:MM[:SS[.fff]]" (a "T" separator too); anything else — a number,
    /// a date alone — is left to GRDB's general reading, which accepts every SQLite form.
    static func date(_ value: DatabaseValue) -> Date? {
        if case .string(let string) = value.storage, let date = parse(string) { return date }
        return Date.fromDatabaseValue(value)
    }

    static func parse(_ string: String) -> Date? {
        let bytes = Array(string.utf8)
        guard bytes.count >= 16, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: " ") || bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
              let year = number(bytes, 0, 4), let month = number(bytes, 5, 2), let day = number(bytes, 8, 2),
              let hour = number(bytes, 11, 2), let minute = number(bytes, 14, 2) else { return nil }
        var second = 0, fraction = 0.0
        if bytes.count > 16 {
            guard bytes.count >= 19, bytes[16] == UInt8(ascii: ":"), let s = number(bytes, 17, 2) else { return nil }
            second = s
            if bytes.count > 19 {
                guard bytes[19] == UInt8(ascii: "."), bytes.count > 20, let digits = number(bytes, 20, bytes.count - 20) else { return nil }
                fraction = Double(digits) / pow(10, Double(bytes.count - 20))
            }
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        let days = CivilDays.from(year: year, month: month, day: day)
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: TimeInterval(seconds) + fraction)
    }

    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int? {
        guard count > 0, count <= 9 else { return nil }
        var value = 0
        for byte in bytes[start..<start + count] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Date {
    /// This date as a statement argument, in the store's format (see `StoredDate`).
    var stored: DatabaseValue { StoredDate.text(self).databaseValue }
}

extension Row {
    /// A date column, read without GRDB's ICU-backed parsing (see `StoredDate`).
    func storedDate(_ column: String) -> Date? {
        StoredDate.date(self[column] as DatabaseValue)
    }
}

/// A record whose dates are written and read by `StoredDate`. Every record with a date
/// conforms; one that did not would still work, through ICU.
public protocol StoredDateRecord: FetchableRecord, EncodableRecord {}

extension StoredDateRecord {
    public static func databaseDateDecodingStrategy(for column: String) -> DatabaseDateDecodingStrategy {
        .custom { StoredDate.date($0) }
    }

    public static func databaseDateEncodingStrategy(for column: String) -> DatabaseDateEncodingStrategy {
        .custom { StoredDate.text($0) }
    }
}
