import Foundation
import LumeTestSupport
import Testing
@testable import LumeKit

/// Zones read from the system tz database, checked against Foundation's `TimeZone` (ICU,
/// with its own copy of the same data): an independent implementation of the same rules.
@Suite struct ZoneRulesTests {
    static let zones = [
        "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Asia/Kathmandu",
        "America/St_Johns", "Australia/Lord_Howe", "Europe/Dublin", "Pacific/Auckland", "America/Sao_Paulo",
        "Asia/Tokyo", "America/Los_Angeles", "Europe/London",
    ]

    /// Every transition ICU knows from 1990 to 2090, a second before and at it: past the
    /// files' transition tables (2037) the footer rule answers.
    @Test(arguments: zones) func agreesWithFoundationAtEveryTransition(name: String) throws {
        let ours = try #require(ZoneRules.named(name))
        let theirs = try #require(TimeZone(identifier: name))
        var moment = Date(timeIntervalSince1970: 631_152_000)  // 1990-01-01
        let end = Date(timeIntervalSince1970: 3_786_912_000)   // 2090-01-01
        var checked = 0
        while let next = theirs.nextDaylightSavingTimeTransition(after: moment), next < end {
            for instant in [next.addingTimeInterval(-1), next] {
                #expect(ours.secondsFromGMT(for: instant) == theirs.secondsFromGMT(for: instant), "\(name) at \(instant)")
            }
            moment = next
            checked += 1
        }
        // And at noon on a day in every month, for zones without transitions too.
        for month in 0..<(100 * 12) {
            let instant = Date(timeIntervalSince1970: 631_152_000 + Double(month) * 2_629_746 + 43_200)
            #expect(ours.secondsFromGMT(for: instant) == theirs.secondsFromGMT(for: instant), "\(name) at \(instant)")
        }
        #expect(ours.identifier == name)
        if ["Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo"].contains(name) { #expect(checked == 0) } else { #expect(checked > 0) }
    }

    @Test func footerRules() throws {
        let berlin = try #require(PosixZoneRule("CET-1CEST,M3.5.0,M10.5.0/3"))
        #expect(berlin.standardOffset == 3600)
        // 2050: last Sunday of March is the 27th, of October the 30th.
        let springUTC = Int64(CivilDays.from(year: 2050, month: 3, day: 27)) * 86_400 + 3600  // 02:00 CET
        #expect(berlin.offset(at: springUTC - 1) == 3600)
        #expect(berlin.offset(at: springUTC) == 7200)
        let autumnUTC = Int64(CivilDays.from(year: 2050, month: 10, day: 30)) * 86_400 + 3600  // 03:00 CEST
        #expect(berlin.offset(at: autumnUTC - 1) == 7200)
        #expect(berlin.offset(at: autumnUTC) == 3600)

        // Southern hemisphere: daylight time spans the new year.
        let sydney = try #require(PosixZoneRule("AEST-10AEDT,M10.1.0,M4.1.0/3"))
        #expect(sydney.offset(at: Int64(CivilDays.from(year: 2050, month: 1, day: 15)) * 86_400) == 39_600)
        #expect(sydney.offset(at: Int64(CivilDays.from(year: 2050, month: 7, day: 15)) * 86_400) == 36_000)

        // Quoted names, minutes, negative transition times, a fixed offset.
        let india = try #require(PosixZoneRule("<+0530>-5:30"))
        #expect(india.standardOffset == 19_800 && india.daylight == nil)
        let nuuk = try #require(PosixZoneRule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0"))
        #expect(nuuk.daylight?.start.seconds == -3600)
        #expect(nuuk.daylight?.offset == -3600)
        // Dublin writes winter as its "daylight" time, with a negative save.
        let dublin = try #require(PosixZoneRule("IST-1GMT0,M10.5.0,M3.5.0/1"))
        #expect(dublin.offset(at: Int64(CivilDays.from(year: 2050, month: 1, day: 15)) * 86_400) == 0)
        #expect(dublin.offset(at: Int64(CivilDays.from(year: 2050, month: 7, day: 15)) * 86_400) == 3600)
        // Julian days: J60 is March 1 in every year, 59 is March 1 only in a leap year.
        let j = try #require(PosixZoneRule("AAA0BBB,J60/0,J300/0"))
        #expect(PosixZoneRule.localSeconds(j.daylight!.start, year: 2048) == Int64(CivilDays.from(year: 2048, month: 3, day: 1)) * 86_400)
        #expect(PosixZoneRule.localSeconds(.init(day: .zeroBased(59), seconds: 0), year: 2048) == Int64(CivilDays.from(year: 2048, month: 2, day: 29)) * 86_400)

        for bad in ["", "X", "CET", "CET-1CEST,M13.1.0,M10.5.0", "CET-1CEST,M3.5.0", "CET-1CEST,M3.5.0,M10.5.0/x", "<+05", "CET-200"] {
            #expect(PosixZoneRule(bad) == nil, "\(bad)")
        }
    }

    @Test func civilDaysMatchTheCLibrary() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            var seconds = time_t(days * 86_400)
            var parts = tm()
            gmtime_r(&seconds, &parts)
            let date = CivilDays.date(days)
            #expect(date.year == Int(parts.tm_year) + 1900 && date.month == Int(parts.tm_mon) + 1 && date.day == Int(parts.tm_mday))
            #expect(CivilDays.from(year: date.year, month: date.month, day: date.day) == days)
        }
    }

    @Test func findsTheUsersZoneTheWayTheCLibraryDoes() throws {
        let summer = Date(timeIntervalSince1970: 1_783_000_000)  // July 2026
        #expect(ZoneRules.current(["TZ": "Europe/Berlin"]).identifier == "Europe/Berlin")
        #expect(ZoneRules.current(["TZ": ":America/New_York"]).secondsFromGMT(for: summer) == -14_400)
        let posix = ZoneRules.current(["TZ": "CET-1CEST,M3.5.0,M10.5.0/3"])
        #expect(posix.secondsFromGMT(for: summer) == 7200)
        #expect(posix.identifier == "Etc/GMT-1")
        #expect(ZoneRules.current(["TZ": "Nowhere/Land"]) == .utc)
        #expect(ZoneRules.current(["TZ": "../../../etc/passwd"]) == .utc)
        #expect(ZoneRules.named("Europe") == nil)  // a directory
        #expect(ZoneRules.named("/etc/localtime") == nil)
    }

    @Test func refusesDamagedFiles() throws {
        let directory = TemporaryDirectory("lume-zones")
        let berlin = try #require(FileManager.default.contents(atPath: "/usr/share/zoneinfo/Europe/Berlin"))
        try FileManager.default.createDirectory(atPath: directory.file("Test"), withIntermediateDirectories: true)
        for (name, data) in [("Short", berlin.prefix(60)), ("Magic", Data("TZiX".utf8) + berlin.dropFirst(4)), ("Empty", Data())] {
            FileManager.default.createFile(atPath: directory.file("Test/\(name)"), contents: data)
            #expect(ZoneRules.named("Test/\(name)", in: directory.path) == nil, "\(name)")
        }
        FileManager.default.createFile(atPath: directory.file("Test/Copy"), contents: berlin)
        #expect(ZoneRules.named("Test/Copy", in: directory.path)?.secondsFromGMT(for: Date(timeIntervalSince1970: 1_783_000_000)) == 7200)
    }
}
