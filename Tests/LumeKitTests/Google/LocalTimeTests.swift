import Foundation
import Testing
@testable import LumeKit

/// Local dates around midnight and daylight-saving changes (2026: Europe moves clocks on
/// 29 March and 25 October, the US on 8 March and 1 November).
@Suite struct LocalTimeTests {
    let berlin = LocalTime(named: "Europe/Berlin")!
    let newYork = LocalTime(named: "America/New_York")!
    let utc = LocalTime.utc

    func instant(_ text: String) -> Date { utc.parse(text)! }

    @Test func midnightBelongsToTheLocalDay() {
        // 23:30 UTC on the 27th is already the 28th in Berlin.
        let lateEvening = instant("2026-11-27T23:30:00Z")
        #expect(berlin.day(lateEvening) == "2026-11-28")
        #expect(berlin.startOfDay(lateEvening) == instant("2026-11-27T23:00:00Z"))
        #expect(newYork.day(lateEvening) == "2026-11-27")
        #expect(newYork.startOfDay(lateEvening) == instant("2026-11-27T05:00:00Z"))
        #expect(berlin.rfc3339(berlin.startOfDay(lateEvening)) == "2026-11-28T00:00:00+01:00")
    }

    @Test func aDayAcrossTheSpringChangeHas23Hours() {
        let saturday = berlin.date(year: 2026, month: 3, day: 28, hour: 9)
        let sunday = berlin.adding(days: 1, to: saturday)
        #expect(berlin.rfc3339(sunday) == "2026-03-29T09:00:00+02:00")
        #expect(sunday.timeIntervalSince(saturday) == 23 * 3600)
        let midnight = berlin.startOfDay(sunday)
        #expect(berlin.adding(days: 1, to: midnight).timeIntervalSince(midnight) == 23 * 3600)
        #expect(newYork.rfc3339(newYork.adding(days: 1, to: newYork.date(year: 2026, month: 10, day: 31, hour: 15))) == "2026-11-01T15:00:00-05:00")
    }

    @Test func skippedAndRepeatedHoursResolveSensibly() {
        // 02:30 does not exist on 29 March in Berlin: it moves forward by the gap.
        #expect(berlin.rfc3339(berlin.date(year: 2026, month: 3, day: 29, hour: 2, minute: 30)) == "2026-03-29T03:30:00+02:00")
        // 02:30 happens twice on 25 October: the first one is meant.
        #expect(berlin.rfc3339(berlin.date(year: 2026, month: 10, day: 25, hour: 2, minute: 30)) == "2026-10-25T02:30:00+02:00")
        #expect(newYork.rfc3339(newYork.date(year: 2026, month: 11, day: 1, hour: 1, minute: 30)) == "2026-11-01T01:30:00-04:00")
    }

    @Test func offsetsAreWrittenWithHoursAndMinutes() {
        let moment = instant("2026-11-27T12:00:00Z")
        #expect(LocalTime(named: "Asia/Kolkata")!.rfc3339(moment) == "2026-11-27T17:30:00+05:30")
        #expect(LocalTime(named: "Asia/Kathmandu")!.rfc3339(moment) == "2026-11-27T17:45:00+05:45")
        #expect(LocalTime(named: "America/St_Johns")!.rfc3339(moment) == "2026-11-27T08:30:00-03:30")
        #expect(utc.rfc3339(moment) == "2026-11-27T12:00:00+00:00")
    }

    @Test func parsesRFC3339AndBareDates() {
        #expect(berlin.parse("2026-11-27T14:05:00Z") == instant("2026-11-27T14:05:00Z"))
        #expect(berlin.parse("2026-11-27T14:05:00.250+01:00")?.timeIntervalSince(instant("2026-11-27T13:05:00Z")) == 0.25)
        #expect(berlin.parse("2026-11-27T14:05:00-05:00") == instant("2026-11-27T19:05:00Z"))
        #expect(berlin.parse("2026-11-27") == instant("2026-11-26T23:00:00Z"), "a bare date is local midnight")
        #expect(berlin.parse("2026-11-27T14:05:00") == instant("2026-11-27T13:05:00Z"), "no offset: local wall time")
        #expect(berlin.parse("2026-03-29T02:30:00") == instant("2026-03-29T01:30:00Z"), "a skipped wall time moves forward, as in `date`")
        for bad in ["", "tomorrow", "2026-11", "2026/11/27", "2026-11-27T14", "2026-11-27T14:05:00+1"] {
            #expect(berlin.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func describesTimesTheWayRepliesShowThem() {
        let moment = berlin.date(year: 2026, month: 11, day: 27, hour: 14, minute: 5)
        #expect(berlin.describe(moment) == "Fri 27 Nov 14:05")
        #expect(berlin.describe(moment, withTime: false) == "Fri 27 Nov")
        #expect(berlin.clock(moment) == "14:05")
        #expect(berlin.fields(moment).weekday == 5)
    }
}
