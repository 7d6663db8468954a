import Foundation

/// A time zone's offsets from UTC, read from the system's tz database — the TZif files under
/// /usr/share/zoneinfo (RFC 8536) that `localtime_r` and every other terminal tool use.
///
/// Why not Foundation's `TimeZone`: on Linux it is ICU, and the first offset it computes
/// maps ICU's zone and calendar data, ~3 MB of resident memory in a UI whose budget is
/// 40 MB (issue 5). A zone here is a sorted list of transitions and the TZif footer's
/// POSIX rule for the years after them.
public struct ZoneRules: Sendable, Equatable {
    /// The IANA name ("Europe/Berlin") Google Calendar is given.
    public let identifier: String
    /// UTC seconds at which a new offset starts, ascending; `offsets[i]` is in force from
    /// `transitions[i]` on.
    let transitions: [Int64]
    let offsets: [Int32]
    /// In force before the first transition (TZif's local time type 0).
    let initialOffset: Int32
    /// After the last transition (the TZif footer); nil keeps the last offset.
    let rule: PosixZoneRule?

    public static let utc = ZoneRules(identifier: "UTC", transitions: [], offsets: [], initialOffset: 0, rule: nil)

    public func secondsFromGMT(for date: Date) -> Int {
        Int(offset(at: Int64(floor(date.timeIntervalSince1970))))
    }

    func offset(at seconds: Int64) -> Int32 {
        guard let last = transitions.last else { return rule?.offset(at: seconds) ?? initialOffset }
        if seconds >= last, let rule { return rule.offset(at: seconds) }
        // The last transition at or before `seconds`.
        var low = 0, high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= seconds { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? initialOffset : offsets[low - 1]
    }

    // MARK: Finding a zone

    /// Where the tz database lives; `TZDIR` moves it, as it does for the C library.
    static func directory(_ environment: [String: String]) -> String {
        environment["TZDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo"
    }

    /// The zone with this IANA name, or nil when the tz database has no such file.
    public static func named(_ identifier: String) -> ZoneRules? {
        named(identifier, in: directory(ProcessInfo.processInfo.environment))
    }

    static func named(_ identifier: String, in directory: String) -> ZoneRules? {
        if identifier == "UTC" { return .utc }
        guard !identifier.isEmpty, !identifier.hasPrefix("/"), !identifier.split(separator: "/").contains(".."),
              let data = FileManager.default.contents(atPath: directory + "/" + identifier) else { return nil }
        return TZifReader.read(data, identifier: identifier)
    }

    /// The user's zone, found the way the C library finds it: `TZ` (a name, `:name`, or a
    /// POSIX rule such as "CET-1CEST,M3.5.0,M10.5.0/3"), else /etc/localtime. UTC when
    /// neither says anything usable.
    public static var current: ZoneRules { current(ProcessInfo.processInfo.environment) }

    static func current(_ environment: [String: String]) -> ZoneRules {
        if let tz = environment["TZ"], !tz.isEmpty {
            let name = tz.hasPrefix(":") ? String(tz.dropFirst()) : tz
            if let zone = named(name, in: directory(environment)) { return zone }
            if let rule = PosixZoneRule(name) {
                return ZoneRules(identifier: rule.etcName, transitions: [], offsets: [], initialOffset: rule.standardOffset, rule: rule)
            }
            return .utc
        }
        return systemZone(directory(environment)) ?? .utc
    }

    /// /etc/localtime, named by its symlink's target or, where it is a copy, by Debian's
    /// /etc/timezone.
    private static func systemZone(_ directory: String) -> ZoneRules? {
        let link = "/etc/localtime"
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link),
           let range = target.range(of: "zoneinfo/") {
            let name = String(target[range.upperBound...])
            if let zone = named(name, in: directory) { return zone }
        }
        if let name = (try? String(contentsOfFile: "/etc/timezone", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines), let zone = named(name, in: directory) {
            return zone
        }
        guard let data = FileManager.default.contents(atPath: link) else { return nil }
        return TZifReader.read(data, identifier: nil)
    }
}

/// Reads a TZif file (RFC 8536): the 64-bit data block of version 2 and later files, or
/// the 32-bit one of version 1, and the footer rule.
enum TZifReader {
    static func read(_ data: Data, identifier: String?) -> ZoneRules? {
        let bytes = [UInt8](data)
        guard let first = Header(bytes, at: 0) else { return nil }
        var block = first
        var start = Header.size
        if first.version >= 2 {
            // Skip the 32-bit block; the 64-bit one follows with its own header.
            start += first.dataSize(timeSize: 4)
            guard let second = Header(bytes, at: start) else { return nil }
            block = second
            start += Header.size
        }
        let timeSize = first.version >= 2 ? 8 : 4
        guard start + block.dataSize(timeSize: timeSize) <= bytes.count, block.typeCount > 0 else { return nil }

        var position = start
        var transitions: [Int64] = []
        for _ in 0..<block.timeCount {
            transitions.append(timeSize == 8 ? Int64(bitPattern: bigEndian(bytes, position, 8)) : Int64(Int32(bitPattern: UInt32(bigEndian(bytes, position, 4)))))
            position += timeSize
        }
        let typeIndices = Array(bytes[position..<position + block.timeCount])
        position += block.timeCount
        var typeOffsets: [Int32] = []
        for index in 0..<block.typeCount {
            typeOffsets.append(Int32(bitPattern: UInt32(bigEndian(bytes, position + index * 6, 4))))
        }
        guard typeIndices.allSatisfy({ Int($0) < typeOffsets.count }) else { return nil }

        var rule: PosixZoneRule?
        if first.version >= 2 {
            let footerStart = start + block.dataSize(timeSize: timeSize)
            if footerStart < bytes.count, bytes[footerStart] == UInt8(ascii: "\n"),
               let end = bytes[(footerStart + 1)...].firstIndex(of: UInt8(ascii: "\n")) {
                rule = PosixZoneRule(String(decoding: bytes[(footerStart + 1)..<end], as: UTF8.self))
            }
        }
        let name = identifier ?? rule?.etcName ?? "UTC"
        return ZoneRules(identifier: name, transitions: transitions, offsets: typeIndices.map { typeOffsets[Int($0)] },
                         initialOffset: typeOffsets[0], rule: rule)
    }

    private struct Header {
        static let size = 44
        let version: Int
        let utIndicatorCount, standardIndicatorCount, leapCount, timeCount, typeCount, charCount: Int

        init?(_ bytes: [UInt8], at offset: Int) {
            guard offset + Self.size <= bytes.count, Array(bytes[offset..<offset + 4]) == Array("TZif".utf8) else { return nil }
            version = bytes[offset + 4] == 0 ? 1 : Int(bytes[offset + 4]) - Int(UInt8(ascii: "0"))
            func count(_ index: Int) -> Int { Int(bigEndian(bytes, offset + 20 + index * 4, 4)) }
            (utIndicatorCount, standardIndicatorCount, leapCount, timeCount, typeCount, charCount) =
                (count(0), count(1), count(2), count(3), count(4), count(5))
        }

        func dataSize(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4)
                + standardIndicatorCount + utIndicatorCount
        }
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> UInt64 {
        bytes[offset..<offset + count].reduce(0) { $0 << 8 | UInt64($1) }
    }
}

/// A POSIX TZ rule ("EST5EDT,M3.2.0,M11.1.0", "<+0530>-5:30"), as TZif footers and the
/// `TZ` variable carry it (RFC 8536 section 3.3): a standard offset and, optionally, a
/// daylight offset with the dates it starts and ends each year.
struct PosixZoneRule: Sendable, Equatable {
    /// Seconds east of UTC (POSIX writes them west: "CET-1" is UTC+1).
    let standardOffset: Int32
    let daylight: Daylight?

    struct Daylight: Sendable, Equatable {
        let offset: Int32
        let start: Transition
        let end: Transition
    }

    /// A day of the year and a local time on it.
    struct Transition: Sendable, Equatable {
        enum Day: Sendable, Equatable {
            case julianNoLeap(Int)                       // Jn: 1…365, February 29 never counted
            case zeroBased(Int)                          // n: 0…365
            case weekday(month: Int, week: Int, day: Int) // Mm.w.d: week 5 is the last
        }
        let day: Day
        let seconds: Int32
    }

    init?(_ text: String) {
        var scanner = Scanner(Array(text.utf8))
        guard scanner.name(), let standard = scanner.offset() else { return nil }
        standardOffset = -standard
        guard !scanner.atEnd else { daylight = nil; return }
        guard scanner.name() else { return nil }
        var daylightOffset = standardOffset + 3600
        if !scanner.atEnd, scanner.peek != UInt8(ascii: ",") {
            guard let offset = scanner.offset() else { return nil }
            daylightOffset = -offset
        }
        let start: Transition, end: Transition
        if scanner.atEnd {
            // No dates: POSIX leaves them to the implementation; the C library uses the US rules.
            start = Transition(day: .weekday(month: 3, week: 2, day: 0), seconds: 7200)
            end = Transition(day: .weekday(month: 11, week: 1, day: 0), seconds: 7200)
        } else {
            guard scanner.take(","), let s = scanner.transition(), scanner.take(","), let e = scanner.transition(), scanner.atEnd else { return nil }
            (start, end) = (s, e)
        }
        daylight = Daylight(offset: daylightOffset, start: start, end: end)
    }

    /// "Etc/GMT-1" for UTC+1: the IANA name of a fixed offset (note the inverted sign), or
    /// "UTC" when the offset is not whole hours.
    var etcName: String {
        guard standardOffset != 0, standardOffset % 3600 == 0 else { return "UTC" }
        let hours = -standardOffset / 3600
        return "Etc/GMT" + (hours > 0 ? "+" : "") + String(hours)
    }

    func offset(at seconds: Int64) -> Int32 {
        guard let daylight else { return standardOffset }
        let year = CivilDays.date((seconds + Int64(standardOffset)).floorDivided(by: 86_400)).year
        // Starts are given in standard local time, ends in daylight local time.
        let start = Self.localSeconds(daylight.start, year: year) - Int64(standardOffset)
        let end = Self.localSeconds(daylight.end, year: year) - Int64(daylight.offset)
        let inDaylight = start < end ? (seconds >= start && seconds < end) : (seconds < end || seconds >= start)
        return inDaylight ? daylight.offset : standardOffset
    }

    /// Seconds since 1970 of a transition's local time in a year, as if local time were UTC.
    static func localSeconds(_ transition: Transition, year: Int) -> Int64 {
        let january1 = Int64(CivilDays.from(year: year, month: 1, day: 1))
        let leap = CivilDays.isLeap(year)
        let day: Int64
        switch transition.day {
        case .julianNoLeap(let n):
            day = january1 + Int64(n - 1) + (leap && n >= 60 ? 1 : 0)
        case .zeroBased(let n):
            day = january1 + Int64(n)
        case .weekday(let month, let week, let weekday):
            let first = Int64(CivilDays.from(year: year, month: month, day: 1))
            let firstWeekday = (first + 4).floorModulo(7)  // 1970-01-01 was a Thursday
            var date = first + (Int64(weekday) - firstWeekday).floorModulo(7) + Int64(week - 1) * 7
            let nextMonth = Int64(CivilDays.from(year: month == 12 ? year + 1 : year, month: month % 12 + 1, day: 1))
            while date >= nextMonth { date -= 7 }
            day = date
        }
        return day * 86_400 + Int64(transition.seconds)
    }

    /// Reads the pieces of a rule; each method consumes what it recognised.
    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { index >= bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func take(_ character: Character) -> Bool {
            guard let peek, peek == character.asciiValue else { return false }
            index += 1
            return true
        }

        /// "CET" (three or more letters) or "<+0530>".
        mutating func name() -> Bool {
            if take("<") {
                guard let close = bytes[index...].firstIndex(of: UInt8(ascii: ">")), close - index >= 3 else { return false }
                index = close + 1
                return true
            }
            let start = index
            while let peek, (peek | 0x20) >= UInt8(ascii: "a"), (peek | 0x20) <= UInt8(ascii: "z") { index += 1 }
            return index - start >= 3
        }

        /// "[+-]hh[:mm[:ss]]" in seconds; hours up to 167 as RFC 8536 allows in rule times.
        mutating func offset() -> Int32? {
            var sign: Int32 = 1
            if take("-") { sign = -1 } else { _ = take("+") }
            guard let hours = number(maxDigits: 3), hours <= 167 else { return nil }
            var total = hours * 3600
            if take(":") {
                guard let minutes = number(maxDigits: 2), minutes < 60 else { return nil }
                total += minutes * 60
                if take(":") {
                    guard let seconds = number(maxDigits: 2), seconds < 60 else { return nil }
                    total += seconds
                }
            }
            return sign * total
        }

        mutating func transition() -> Transition? {
            let day: Transition.Day
            if take("M") {
                guard let month = number(maxDigits: 2), (1...12).contains(month), take("."),
                      let week = number(maxDigits: 1), (1...5).contains(week), take("."),
                      let weekday = number(maxDigits: 1), weekday <= 6 else { return nil }
                day = .weekday(month: Int(month), week: Int(week), day: Int(weekday))
            } else if take("J") {
                guard let n = number(maxDigits: 3), (1...365).contains(n) else { return nil }
                day = .julianNoLeap(Int(n))
            } else {
                guard let n = number(maxDigits: 3), n <= 365 else { return nil }
                day = .zeroBased(Int(n))
            }
            var seconds: Int32 = 7200
            if take("/") {
                guard let time = offset() else { return nil }
                seconds = time
            }
            return Transition(day: day, seconds: seconds)
        }

        private mutating func number(maxDigits: Int) -> Int32? {
            var value: Int32 = 0, digits = 0
            while let peek, peek >= UInt8(ascii: "0"), peek <= UInt8(ascii: "9"), digits < maxDigits {
                value = value * 10 + Int32(peek - UInt8(ascii: "0"))
                index += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
    }
}
