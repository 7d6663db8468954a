import Foundation

/// Finds the dates, times and durations people type ("tomorrow", "next Thursday", "at 3",
/// "1:30pm", "for an hour", "this week") and turns them into instants in the user's zone.
///
/// Conventions (docs/DECISIONS.md): weeks start on Monday; a bare weekday is its next
/// occurrence, today included; "next Thursday" is the Thursday of next week; an hour with
/// no am/pm is read as working hours (1–7 → afternoon, 8–11 → morning).
struct DatePhrases {
    let now: Date
    let time: LocalTime

    static let weekdays: [String: Int] = [
        "sunday": 0, "sun": 0, "monday": 1, "mon": 1, "tuesday": 2, "tue": 2, "tues": 2, "wednesday": 3, "wed": 3,
        "thursday": 4, "thu": 4, "thur": 4, "thurs": 4, "friday": 5, "fri": 5, "saturday": 6, "sat": 6,
    ]
    static let months: [String: Int] = [
        "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
        "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
        "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    ]
    static let numbers: [String: Int] = ["a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "ten": 10]

    var today: Date { time.startOfDay(now) }

    /// Monday 00:00 of the week holding `date`.
    func weekStart(_ date: Date) -> Date {
        let weekday = time.fields(date).weekday
        return time.adding(days: -((weekday + 6) % 7), to: time.startOfDay(date))
    }

    // MARK: Days

    /// A day phrase: its local midnight and how to say it.
    func day(in words: inout Words) -> (date: Date, label: String)? {
        for index in 0..<words.count where !words.isUsed(index) {
            if let (date, label, length) = day(at: index, words) {
                // "on"/"this"/"by" before the day belongs to it.
                let lead = ["on", "this", "coming", "for", "by", "due"].contains(words[index - 1]) && !words.isUsed(index - 1) ? 1 : 0
                words.use((index - lead)..<(index + length))
                return (date, label)
            }
        }
        return nil
    }

    private func day(at index: Int, _ words: Words) -> (Date, String, Int)? {
        let word = words[index]
        switch word {
        case "today", "tonight": return (today, "today", 1)
        case "tomorrow", "tmrw", "tmr": return (time.adding(days: 1, to: today), "tomorrow", 1)
        case "yesterday": return (time.adding(days: -1, to: today), "yesterday", 1)
        case "day" where words[index + 1] == "after" && words[index + 2] == "tomorrow":
            let date = time.adding(days: 2, to: today)
            return (date, time.describe(date, withTime: false), 3)
        case "next" where Self.weekdays[words[index + 1]] != nil:
            let weekday = Self.weekdays[words[index + 1]]!
            let date = time.adding(days: 7 + (weekday + 6) % 7, to: weekStart(now))
            return (date, "next " + LocalTime.weekdayNames[weekday], 2)
        case "in" where words[index + 2] == "days" || words[index + 2] == "day" || words[index + 2] == "week":
            guard let count = Int(words[index + 1]) ?? Self.numbers[words[index + 1]] else { return nil }
            let days = words[index + 2] == "week" ? 7 * count : count
            let date = time.adding(days: days, to: today)
            return (date, time.describe(date, withTime: false), 3)
        default:
            break
        }
        if let weekday = Self.weekdays[word], word.count > 3 || words[index - 1] == "on" {
            let current = time.fields(now).weekday
            let date = time.adding(days: (weekday - current + 7) % 7, to: today)
            return (date, date == today ? "today" : LocalTime.weekdayNames[weekday], 1)
        }
        if word.count == 10, let date = time.parse(word), word.dropFirst(4).first == "-" {
            return (date, time.describe(date, withTime: false), 1)
        }
        // "dec 3", "december 3rd", "3 dec", "3rd of december"
        if let month = Self.months[word], let dayNumber = Self.ordinal(words[index + 1]) {
            return dated(month: month, day: dayNumber, length: 2)
        }
        if let dayNumber = Self.ordinal(word) {
            if let month = Self.months[words[index + 1]] { return dated(month: month, day: dayNumber, length: 2) }
            if words[index + 1] == "of", let month = Self.months[words[index + 2]] { return dated(month: month, day: dayNumber, length: 3) }
        }
        return nil
    }

    /// A month and day in the coming year: a date already past means next year's.
    private func dated(month: Int, day: Int, length: Int) -> (Date, String, Int)? {
        guard (1...31).contains(day) else { return nil }
        var year = time.fields(now).year
        if time.date(year: year, month: month, day: day) < today { year += 1 }
        let date = time.date(year: year, month: month, day: day)
        return (date, time.describe(date, withTime: false), length)
    }

    /// "3", "3rd", "21st".
    static func ordinal(_ word: String) -> Int? {
        let digits = word.prefix { $0.isNumber }
        guard !digits.isEmpty, digits.count <= 2, ["", "st", "nd", "rd", "th"].contains(String(word.dropFirst(digits.count))) else { return nil }
        return Int(digits)
    }

    // MARK: Spans

    /// A stretch of days for an agenda: "this week", "next week", "the weekend", or one day.
    func span(in words: inout Words) -> DateSpan? {
        if words.take("next week") {
            let start = time.adding(days: 7, to: weekStart(now))
            return DateSpan(start: start, end: time.adding(days: 7, to: start), label: "next week")
        }
        if words.take("this week") || words.take("the week") || words.take("rest of the week") || words.take("week") {
            return DateSpan(start: today, end: time.adding(days: 7, to: weekStart(now)), label: "this week")
        }
        if words.take("this weekend") || words.take("the weekend") || words.take("weekend") {
            let saturday = time.adding(days: 5, to: weekStart(now))
            return DateSpan(start: max(saturday, today), end: time.adding(days: 2, to: saturday), label: "this weekend")
        }
        guard let (date, label) = day(in: &words) else { return nil }
        return DateSpan(start: date, end: time.adding(days: 1, to: date), label: label)
    }

    /// How far back a mail search goes: "today", "this week", "since Monday", "last 3 days".
    func since(in words: inout Words) -> Date? {
        if words.take("this week") { return weekStart(now) }
        if words.take("this month") {
            let fields = time.fields(now)
            return time.date(year: fields.year, month: fields.month, day: 1)
        }
        for lead in ["last", "past"] {
            if words.take(lead + " week") { return time.adding(days: -7, to: now) }
            if let index = words.find(lead), let count = Int(words[index + 1]) ?? Self.numbers[words[index + 1]], ["days", "day"].contains(words[index + 2]) {
                words.use(index..<(index + 3))
                return time.adding(days: -count, to: now)
            }
        }
        let sinceIndex = words.find("since")
        if let sinceIndex { words.use(sinceIndex) }
        guard let (date, _) = day(in: &words) else { return nil }
        // "since Monday" is the Monday gone by, not the one to come.
        return date > today && sinceIndex != nil ? time.adding(days: -7, to: date) : min(date, today)
    }

    // MARK: Times

    /// A time of day: "at 3", "3pm", "3:30 pm", "15:00", "noon". Bare numbers count only
    /// after "at", so "3 tasks" is not a time.
    func clock(in words: inout Words) -> (hour: Int, minute: Int)? {
        for index in 0..<words.count where !words.isUsed(index) {
            if let (hour, minute, length, lead) = clock(at: index, words) {
                words.use((index - lead)..<(index + length))
                return (hour, minute)
            }
        }
        return nil
    }

    private func clock(at index: Int, _ words: Words) -> (Int, Int, Int, Int)? {
        let word = words[index]
        let afterAt = ["at", "@", "by", "from"].contains(words[index - 1]) && !words.isUsed(index - 1)
        let lead = afterAt ? 1 : 0
        if word == "noon" || word == "midday" { return (12, 0, 1, lead) }
        if word == "midnight" { return (0, 0, 1, lead) }
        var text = word
        var length = 1
        var meridiem: String?
        for suffix in ["am", "pm", "a.m", "p.m", "a.m.", "p.m."] where text.hasSuffix(suffix) && text.count > suffix.count {
            meridiem = String(suffix.prefix(1))
            text = String(text.dropLast(suffix.count))
            break
        }
        if meridiem == nil, ["am", "pm", "a.m", "p.m"].contains(words[index + 1]) {
            meridiem = String(words[index + 1].prefix(1))
            length = 2
        } else if meridiem == nil, words[index + 1] == "o'clock" {
            length = 2
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let hour = Int(parts[0]), parts[0].count <= 2,
              parts.count == 1 || (parts[1].count == 2 && Int(parts[1]) != nil) else { return nil }
        let minute = parts.count == 2 ? Int(parts[1])! : 0
        guard meridiem != nil || parts.count == 2 || afterAt || length == 2, minute < 60 else { return nil }
        return (Self.hour24(hour, meridiem: meridiem, hasMinutes: parts.count == 2), minute, length, lead)
    }

    /// 12-hour to 24-hour; with no am/pm, small hours are afternoon ones (nobody means
    /// a 3 a.m. meeting), and a written "15:00" is already 24-hour.
    static func hour24(_ hour: Int, meridiem: String?, hasMinutes: Bool) -> Int {
        switch meridiem {
        case "a": return hour == 12 ? 0 : hour
        case "p": return hour == 12 ? 12 : min(hour + 12, 23)
        default: return (1...7).contains(hour) ? hour + 12 : min(hour, 23)
        }
    }

    /// "from 2 to 3pm", "2-3pm": a start and an end time.
    func clockRange(in words: inout Words) -> (start: (hour: Int, minute: Int), end: (hour: Int, minute: Int))? {
        for index in 0..<words.count where !words.isUsed(index) {
            let word = words[index]
            let dash = word.split(separator: "-")
            if dash.count == 2 {
                var pair = Words("at \(dash[0]) at \(dash[1])")
                let suffix = ["am", "pm"].first { dash[1].hasSuffix($0) }
                if suffix != nil, !dash[0].hasSuffix("am"), !dash[0].hasSuffix("pm") { pair = Words("at \(dash[0])\(suffix!) at \(dash[1])") }
                if let start = clock(in: &pair), let end = clock(in: &pair) {
                    words.use(index)
                    if ["from", "at"].contains(words[index - 1]) { words.use(index - 1) }
                    return Self.ordered(start, end)
                }
            }
            if word == "from" || word == "between",
               let to = stride(from: index + 2, through: min(index + 4, words.count - 1), by: 1).first(where: { ["to", "until", "till", "and", "-"].contains(words[$0]) }) {
                var startWords = Words("at " + words.rawText((index + 1)..<to))
                var endWords = Words("at " + words.rawText((to + 1)..<min(to + 3, words.count)))
                guard let end = clock(in: &endWords), var start = clock(in: &startWords) else { continue }
                // "from 2 to 3pm": the start shares the end's afternoon.
                if end.hour >= 12, start.hour < 12, start.hour + 12 <= end.hour, !words.rawText((index + 1)..<to).lowercased().contains("am") { start.hour += 12 }
                let endLength = ["am", "pm", "a.m", "p.m", "o'clock"].contains(words[to + 2]) ? 2 : 1
                words.use(index..<(to + 1 + endLength))
                return Self.ordered(start, end)
            }
        }
        return nil
    }

    private static func ordered(_ start: (hour: Int, minute: Int), _ end: (hour: Int, minute: Int)) -> (start: (hour: Int, minute: Int), end: (hour: Int, minute: Int)) {
        var start = start
        // "2-3pm" read 14:00–15:00, "11-1" read 11:00–13:00.
        if start.hour > end.hour && start.hour >= 12 && start.hour - 12 < end.hour { start.hour -= 12 }
        return (start, end)
    }

    /// "for an hour", "for 30 minutes", "for 1.5 hours", "for half an hour".
    func duration(in words: inout Words) -> TimeInterval? {
        guard let index = words.find("for") else { return nil }
        if words[index + 1] == "half" && words[index + 2] == "an" && words[index + 3] == "hour" {
            words.use(index..<(index + 4))
            return 1800
        }
        let amountWord = words[index + 1]
        var unitIndex = index + 2
        var amount = Double(amountWord) ?? Double(Self.numbers[amountWord] ?? 0)
        var unit = words[unitIndex]
        if amount == 0 {
            // "for 90min", "for 2h"
            let digits = amountWord.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(digits), !digits.isEmpty else { return nil }
            amount = value
            unit = String(amountWord.dropFirst(digits.count))
            unitIndex = index + 1
        }
        let seconds: Double
        switch unit {
        case "hour", "hours", "hr", "hrs", "h": seconds = 3600
        case "minute", "minutes", "min", "mins", "m": seconds = 60
        default: return nil
        }
        guard amount > 0, amount * seconds <= 24 * 3600 else { return nil }
        words.use(index..<(unitIndex + 1))
        return amount * seconds
    }

    /// The instant of a time on a day.
    func at(_ day: Date, _ clock: (hour: Int, minute: Int)) -> Date {
        let fields = time.fields(day)
        return time.date(year: fields.year, month: fields.month, day: fields.day, hour: clock.hour, minute: clock.minute)
    }
}
