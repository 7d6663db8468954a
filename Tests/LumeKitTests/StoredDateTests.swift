import Foundation
import GRDB
import Testing
@testable import LumeKit

/// The store writes and reads dates itself (no ICU); files written with GRDB's own
/// formatter must read the same, and GRDB must read what we write.
@Suite struct StoredDateTests {
    static let samples: [Date] = [
        Date(timeIntervalSince1970: 0),
        Date(timeIntervalSince1970: 1_764_252_309.123),  // 2025-11-27 14:05:09.123
        Date(timeIntervalSince1970: 1_709_164_800.5),    // 2024-02-29, a leap day
        Date(timeIntervalSince1970: -86_400.25),         // before 1970
        Date(timeIntervalSince1970: 4_102_444_799.999),  // 2099-12-31 23:59:59.999
        Date(timeIntervalSince1970: 1_750_000_000.0004), // rounds down to .000
        Date(timeIntervalSince1970: 1_750_000_000.9996), // rounds up to the next second
    ]

    @Test func writesTheTextGRDBWrites() {
        #expect(StoredDate.text(Self.samples[1]) == "2025-11-27 14:05:09.123")
        #expect(StoredDate.text(Self.samples[3]) == "1969-12-30 23:59:59.750")
        #expect(StoredDate.text(Self.samples[6]) == "2025-06-15 15:06:41.000")
        for date in Self.samples {
            let ours = StoredDate.text(date)
            // GRDB's reader reads ours as the same instant, to the millisecond.
            let readByGRDB = Date.fromDatabaseValue(ours.databaseValue)
            #expect(readByGRDB.map { abs($0.timeIntervalSince(date)) < 0.0006 } == true, "\(ours)")
            // GRDB's own text names the same millisecond, or the one before (its
            // formatter truncates where we round).
            let theirs = StoredDate.parse(String.fromDatabaseValue(date.databaseValue)!)!
            #expect(abs(theirs.timeIntervalSince(StoredDate.parse(ours)!)) < 0.0015, "\(ours)")
        }
    }

    @Test func readsWhatGRDBWrote() {
        for date in Self.samples {
            let theirs = date.databaseValue
            let ours = StoredDate.date(theirs)!
            let grdb = Date.fromDatabaseValue(theirs)!
            // The same instant; the two computations may differ below a microsecond.
            #expect(abs(ours.timeIntervalSince(grdb)) < 0.000_001, "\(String(describing: String.fromDatabaseValue(theirs)))")
        }
    }

    @Test func readsTheOtherSQLiteForms() {
        #expect(StoredDate.date("2026-11-27T14:05".databaseValue) == Date(timeIntervalSince1970: 1_795_788_300))
        #expect(StoredDate.date("2026-11-27 14:05:09".databaseValue) == Date(timeIntervalSince1970: 1_795_788_309))
        // Forms it does not read itself go to GRDB's reader: a date alone, a number.
        #expect(StoredDate.date("2026-11-27".databaseValue) == Date(timeIntervalSince1970: 1_795_737_600))
        #expect(StoredDate.date(1_795_788_309.databaseValue) == Date(timeIntervalSince1970: 1_795_788_309))
        #expect(StoredDate.date("not a date".databaseValue) == nil)
        #expect(StoredDate.date(DatabaseValue.null) == nil)
    }

    @Test func roundTripsThroughItsOwnText() {
        for date in Self.samples {
            let text = StoredDate.text(date)
            #expect(StoredDate.parse(text).map(StoredDate.text) == text)
        }
    }
}
