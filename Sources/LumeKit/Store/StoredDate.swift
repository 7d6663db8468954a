import Foundation
import GRDB

/// Dates as the store keeps them: "2026-11-27 14:05:09.123", UTC — GRDB's own text format,
/// so files written before read the same — but formatted and parsed without GRDB's
/// defaults.
///
/// Why: GRDB formats dates with a `DateFormatter` and parses them through `Calendar`; on
/// Linux both are ICU, and their first use maps ICU's calendar and locale data — about 3 MB
/// of resident memory the chat UI otherwise never touches (its budget is 40 MB, issue 5).
/// Every record and every raw statement that binds or reads a date goes through here.
enum StoredDate {
    static func text(_ date: Date) -> String {
        // Nearest millisecond, so a date read back from its text writes the same text.
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = millis.floorDivided(by: 1000)
        return TimeFormat.utc(seconds, millisecond: Int(millis - seconds * 1000), separator: " ")
    }

    /// Reads "YYYY-MM-DD HH:MM:SS[.fff]" (a "T" separator too) as UTC, with `LocalTime`'s
    /// parser; anything else — a number, a time without seconds — is left to GRDB's general
    /// reading, which accepts every SQLite form.
    static func date(_ value: DatabaseValue) -> Date? {
        if case .string(let string) = value.storage, let date = parse(string) { return date }
        return Date.fromDatabaseValue(value)
    }

    static func parse(_ string: String) -> Date? {
        LocalTime.utc.parse(string)
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
