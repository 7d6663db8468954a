import Foundation

/// Reads the details of a request whose action understanding has decided ("lunch with Bob
/// tomorrow 1pm for an hour" → an event's title, start and end; "remind me to pay rent on
/// Friday" → a task and its due day). Pure: the same text, action, instant and zone always
/// give the same intent.
///
/// What to do is not decided here: `Understanding` (a learned model over public corpora)
/// says what the message asks for, and this type only reads the details that action needs,
/// with patterns over the text and a word scanner for dates (`DatePhrases`). Actions the
/// built-in assistant cannot carry out yet are answered plainly, naming what it can do.
public struct IntentParser: Sendable {
    public let now: Date
    public let time: LocalTime

    public init(now: Date, time: LocalTime) {
        self.now = now
        self.time = time
    }

    var dates: DatePhrases { DatePhrases(now: now, time: time) }

    /// Understands the message, then reads its details.
    public func parse(_ message: String) -> Intent {
        intent(for: Understanding.shared.read(message, explaining: false).action, message: message)
    }

    /// The details `action` needs, read from the message, as an intent to carry out.
    public func intent(for action: Action, message: String) -> Intent {
        let text = Self.normalize(message)
        let lower = text.lowercased()
        guard !text.isEmpty else { return .help }
        switch action {
        case .greeting: return .greeting
        case .help: return .help
        case .chat: return .unsupported("open question")
        case .clarify: return .clarify("Should that go on your tasks or in a Keep note?")
        case .unsupported:
            return .unsupported(ActionCues.refusal(DetectorText(message)) ?? "That is something lume-tui does not do with your Google account.")
        case .agenda, .findFree:
            return agenda(text) 
        case .nextEvent:
            return .agenda(DateSpan(start: now, end: time.adding(days: 14, to: dates.today), label: "in the next two weeks"))
        case .findEvent:
            return .unsupported("I can't look an event up by its name yet; ask what's on a day instead (\"what's on Friday?\").")
        case .checkFree:
            return freeCheck(text)
        case .createEvent:
            return createEvent(text, lower)
        case .updateEvent:
            return .unsupported("I can't change events yet: I can show your calendar and create new events.")
        case .cancelEvent:
            return .unsupported("I can't cancel events yet: I can show your calendar and create new events.")
        case .searchMail, .readMail:
            return mail(text, lower, reading: action == .readMail) 
        case .composeMail:
            return composeMail(text) ?? composeMail(Self.fromFirstVerb(text)) ?? .clarify("Who should the email go to, and what should it say? For example: \"email ada@example.com about lunch saying see you at noon\".")
        case .replyMail:
            return .unsupported("I can't reply to a message yet; I can write a new email (\"email Ada about …\").")
        case .forwardMail:
            return .unsupported("I can't forward mail yet; I can write a new email (\"email Ada about …\").")
        case .archiveMail:
            return .unsupported("I can't archive or label mail yet; I can search and read it.")
        case .findContact:
            return contactLookup(text) ?? .clarify("Whose contact details do you want? For example: \"what's Bob's email address?\"")
        case .addContact:
            return .unsupported("I can't add contacts yet; I can look one up (\"what's Bob's email address?\").")
        case .listTasks:
            return .listTasks
        case .addTask:
            return task(text, lower).flatMap { intent -> Intent? in
                switch intent {
                case .addTask, .clarify: return intent
                default: return nil
                }
            } ?? addTask(text, pattern: "^(.+)$")
        case .completeTask:
            return task(text, lower).flatMap { if case .completeTask = $0 { return $0 } else { return nil } }
                ?? .clarify("Which task is done? For example: \"mark buy milk as done\".")
        case .deleteTask:
            return .unsupported("I can't delete tasks yet; I can mark one done (\"mark buy milk as done\").")
        case .updateTask:
            return .unsupported("I can't change tasks yet; I can add one or mark one done.")
        case .listNotes:
            return .listNotes
        case .addNote, .deleteNote:
            return .unsupported("Keep is read-only here: Google's Keep API lets lume-tui list notes but not write them.")
        }
    }

    /// The text from its first word that starts a request ("will you help me write an email
    /// to Chelsea" → "write an email to Chelsea").
    static func fromFirstVerb(_ text: String) -> String {
        let starts: Set<String> = ["send", "write", "compose", "draft", "shoot", "drop", "email", "e-mail", "mail", "message", "tell", "let"]
        let words = text.split(separator: " ")
        guard let index = words.firstIndex(where: { starts.contains($0.lowercased()) }) else { return text }
        return words[index...].joined(separator: " ")
    }

    /// One line, typographic quotes made plain, no trailing punctuation or courtesy.
    static func normalize(_ message: String) -> String {
        var text = message.replacingOccurrences(of: "’", with: "'").replacingOccurrences(of: "‘", with: "'")
            .replacingOccurrences(of: "“", with: "\"").replacingOccurrences(of: "”", with: "\"")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        while let last = text.last, "?!.".contains(last) { text.removeLast() }
        for courtesy in ["please ", "can you ", "could you ", "would you ", "hey lume, ", "hey, ", "ok ", "okay "] {
            while text.lowercased().hasPrefix(courtesy) { text = String(text.dropFirst(courtesy.count)) }
        }
        for tail in [" please", " for me", " thanks", " thank you"] {
            while text.lowercased().hasSuffix(tail) { text = String(text.dropLast(tail.count)) }
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    // MARK: Contacts

    private func contactLookup(_ text: String) -> Intent? {
        let patterns = [
            "^(?:what(?:'s| is) |find |get |show (?:me )?|look ?up )?([\\p{L}][\\p{L} .'-]*?)'s (?:e-?mail(?: address)?|address|contact(?: details| info)?|email id)$",
            "^(?:what(?:'s| is) |find |get |show (?:me )?)?(?:the )?(?:e-?mail(?: address)?|address|contact(?: details| info)?) (?:of|for) ([\\p{L}][\\p{L} .'-]*)$",
            "^(?:look ?up|find|search for|search) ([\\p{L}][\\p{L} .'-]*?) in (?:my )?contacts$",
            "^(?:look ?up|find) (?:the )?contact ([\\p{L}][\\p{L} .'-]*)$",
            "^how (?:do|can) i (?:reach|email|contact) ([\\p{L}][\\p{L} .'-]*)$",
        ]
        for pattern in patterns {
            if let name = Pattern.capture(pattern, text)?.first, !["my", "me", "your"].contains(name.lowercased()) {
                return .findContact(name.trimmingCharacters(in: .whitespaces))
            }
        }
        return nil
    }

    // MARK: Composing mail

    private func composeMail(_ text: String) -> Intent? {
        let verbs = "(?:send|write|compose|draft|shoot|drop)"
        let nouns = "(?:e-?mail|mail|message|note|line|msg)"
        var rest: String?
        if let captured = Pattern.capture("^\(verbs)(?: (?:an?|the|a quick|a short))? \(nouns)(?: to)? (.+)$", text)?.first {
            rest = captured
        } else if let captured = Pattern.capture("^\(verbs) (.+?) (?:an? )?\(nouns)(?: (.+))?$", text), let who = captured.first,
                  !["a", "an", "the"].contains(who.lowercased()) {
            // "send Bob an email about …"
            rest = who + (captured.count > 1 && !captured[1].isEmpty ? " " + captured[1] : "")
        } else if let captured = Pattern.capture("^(?:e-?mail|mail|message) (?!from\\b|about\\b|for\\b|with\\b|in\\b|on\\b|that\\b|me the latest\\b)(.+)$", text)?.first {
            rest = captured
        } else if let captured = Pattern.capture("^let ([\\p{L}@.'-]+(?: [\\p{L}@.'-]+)?) know (?:that )?(.+)$", text), captured.count == 2 {
            rest = captured[0] + " saying " + captured[1]
        } else if let captured = Pattern.capture("^tell ((?!me\\b)[\\p{L}@.'-]+(?: and [\\p{L}@.'-]+)?) (?:that )?(.+)$", text), captured.count == 2, Self.isName(captured[0]) || captured[0].contains("@") {
            rest = captured[0] + " saying " + captured[1]
        }
        guard let rest, !["a", "an", "the"].contains(rest.lowercased()) else {
            if Pattern.matches("^\(verbs)(?: an?| the)? \(nouns)$", text) {
                return .clarify("Who should the email go to, and what should it say? For example: \"email ada@example.com about lunch saying see you at noon\".")
            }
            return nil
        }
        return compose(rest)
    }

    /// "Ada and bob@x.org about lunch saying see you at noon" → recipients, subject, body.
    private func compose(_ rest: String) -> Intent {
        var remainder = rest
        var body: String?
        var subject: String?
        for marker in [" saying ", " that says ", " with the message ", " with message ", ": ", " body ", " that "] {
            if let range = remainder.range(of: marker, options: .caseInsensitive) {
                body = String(remainder[range.upperBound...])
                remainder = String(remainder[..<range.lowerBound])
                break
            }
        }
        for marker in [" with the subject ", " with subject ", " subject ", " about ", " regarding ", " re ", " re: "] {
            if let range = remainder.range(of: marker, options: .caseInsensitive) {
                subject = String(remainder[range.upperBound...])
                remainder = String(remainder[..<range.lowerBound])
                break
            }
        }
        let (recipients, leftover) = Self.recipients(remainder)
        guard !recipients.isEmpty else {
            return .clarify("Who should the email go to? For example: \"email ada@example.com about lunch saying see you at noon\".")
        }
        if !leftover.isEmpty {
            if subject == nil { subject = leftover } else if body == nil { body = leftover }
        }
        let names = recipients.joined(separator: " and ")
        guard let topic = (subject ?? body).map(Self.trimQuotes), !topic.isEmpty else {
            return .clarify("What should the email to \(names) say? For example: \"email \(recipients[0]) about lunch saying see you at noon\".")
        }
        let finalBody = Self.trimQuotes(body ?? topic)
        return .composeMail(ComposeRequest(recipients: recipients, subject: Self.sentence(Self.subjectLine(topic), period: false), body: Self.sentence(finalBody, period: true)))
    }

    /// The leading recipients of "Ada and Bob the notes": addresses, "me", and names (a
    /// capitalised word, or the very first word), joined by "and" or commas.
    static func recipients(_ text: String) -> ([String], String) {
        var words = text.split(separator: " ").map(String.init)[...]
        var recipients: [String] = []
        // Whether the next word starts a recipient (at the start, after "and" or a comma),
        // and whether it may instead continue a name ("Ada" "Lovelace").
        var startsRecipient = true
        var continuesName = false
        while let first = words.first {
            let word = first.trimmingCharacters(in: CharacterSet(charactersIn: ",;"))
            let lower = word.lowercased()
            let isMe = lower == "me" || lower == "myself"
            if !recipients.isEmpty, lower == "and" || lower == "&" {
                guard let next = words.dropFirst().first, isName(next) || next.contains("@") else { break }
                words.removeFirst()
                (startsRecipient, continuesName) = (true, false)
                continue
            }
            guard recipients.isEmpty || isName(word) || word.contains("@") || isMe,
                  !["the", "a", "an", "my", "about", "saying", "to", "that", "this", "and"].contains(lower),
                  startsRecipient || (continuesName && isName(word)) else { break }
            words.removeFirst()
            if isMe {
                recipients.append("me")
            } else if startsRecipient {
                recipients.append(word)
            } else {
                recipients[recipients.count - 1] += " " + word
            }
            startsRecipient = first.hasSuffix(",")
            continuesName = !startsRecipient && !isMe && !word.contains("@") && isName(word)
        }
        return (recipients, words.joined(separator: " "))
    }

    static func isName(_ word: String) -> Bool {
        guard let first = word.unicodeScalars.first else { return false }
        return CharacterSet.uppercaseLetters.contains(first) && word.count > 1
    }

    static func trimQuotes(_ text: String) -> String {
        text.trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
    }

    /// A subject line: the first sentence, at most 70 characters.
    static func subjectLine(_ text: String) -> String {
        let first = text.split(whereSeparator: { ".!?\n".contains($0) }).first.map(String.init) ?? text
        return first.count > 70 ? String(first.prefix(69)) + "…" : first
    }

    /// Capitalised, and ended with a full stop when asked and none is there.
    static func sentence(_ text: String, period: Bool) -> String {
        var result = text.trimmingCharacters(in: .whitespaces)
        guard let first = result.first else { return result }
        result = first.uppercased() + result.dropFirst()
        if period, let last = result.last, !".!?…)".contains(last) { result += "." }
        return result
    }

    // MARK: Tasks

    private func task(_ text: String, _ lower: String) -> Intent? {
        if let title = Pattern.capture("^(?:mark|tick off|check off|cross off|complete|finish|close)(?: the)?(?: task| todo| to-do)? (.+?)(?: as)?(?: done| complete| completed| finished)?$", text)?.first,
           !Pattern.matches("^(?:all|everything)$", title.lowercased()) {
            return .completeTask(Self.trimQuotes(title))
        }
        if let title = Pattern.capture("^i(?:'ve| have)? (?:finished|done|completed) (?:the task )?(.+)$", text)?.first
            ?? Pattern.capture("^(.+?) is (?:done|finished|complete)$", text)?.first {
            return .completeTask(Self.trimQuotes(title))
        }
        let addPatterns = [
            "^(?:add|create|make|new|set)(?: me)?(?: a| an)?(?: new)? (?:task|todo|to-do|reminder)(?: to| called| titled| named|:)? (.+)$",
            "^remind me (?:to |about )?(.+)$",
            "^add (.+?) to (?:my )?(?:tasks|task list|to-?do(?: list)?|todo list|list)$",
            "^(?:todo|to-do|task): ?(.+)$",
            "^i need to (?=.*\\b(?:by|before|on|tomorrow|today)\\b)(.+)$",
        ]
        for pattern in addPatterns {
            guard Pattern.capture(pattern, text)?.first != nil else { continue }
            return addTask(text, pattern: pattern)
        }
        if Pattern.matches("^(?:add|create|make|new)(?: a| an)?(?: new)? (?:task|todo|to-do|reminder)$", lower) {
            return .clarify("What is the task? For example: \"add a task to renew the passport by Friday\".")
        }
        let listPatterns = [
            "\\b(?:my|open|pending|outstanding|remaining|current) (?:tasks|to-?dos|todo list|to-do list)\\b",
            "^(?:show|list|display|view|get)(?: me)?(?: all)?(?: my)? (?:tasks|to-?dos|todo list|to-do list)",
            "^what(?:'s| is) (?:on )?my (?:to-?do|todo|task) list",
            "^what (?:do i|should i|else do i) (?:need|have) to do", "^what(?:'s| is) left to do", "^(?:tasks|todos|to-dos|todo list)$",
            "^do i have any (?:tasks|to-?dos)", "^(?:tasks|to-?dos)\\b.*\\b(?:due|this week|today|tomorrow|overdue)\\b",
        ]
        if listPatterns.contains(where: { Pattern.matches($0, lower) }) { return .listTasks }
        return nil
    }

    /// The task's title with its due day taken out ("pay rent on Friday" → "Pay rent", Friday).
    private func addTask(_ text: String, pattern: String) -> Intent {
        let captured = Pattern.capture(pattern, text)?.first ?? text
        var words = Words(captured)
        let due = dates.day(in: &words)
        // A time of day means nothing to Tasks (it keeps the date only): drop it from the title.
        _ = dates.clock(in: &words)
        var title = words.remaining
        for tail in [" by", " due", " on", " before", " at"] where title.lowercased().hasSuffix(tail) { title = String(title.dropLast(tail.count)) }
        // "a reminder for 5pm to call mom": the words that led to the time go with it.
        while let lead = ["for ", "to ", "about "].first(where: { title.lowercased().hasPrefix($0) }) { title = String(title.dropFirst(lead.count)) }
        title = Self.trimQuotes(title)
        guard !title.isEmpty else { return .clarify("What is the task? For example: \"add a task to renew the passport by Friday\".") }
        return .addTask(title: Self.sentence(title, period: false), due: due.map { time.day($0.date) })
    }

    // MARK: Calendar

    /// The days an agenda covers: "this week", "tomorrow", "Friday"; today when none is said.
    private func agenda(_ text: String) -> Intent {
        var words = Words(text)
        return .agenda(dates.span(in: &words) ?? DateSpan(start: dates.today, end: time.adding(days: 1, to: dates.today), label: "today"))
    }

    private func hasClock(_ text: String) -> Bool {
        var words = Words(text)
        return dates.clockRange(in: &words) != nil || dates.clock(in: &words) != nil
    }

    /// "am I free Thursday at 3", "am I free from 2 to 4 tomorrow".
    private func freeCheck(_ text: String) -> Intent {
        var words = Words(text)
        let range = dates.clockRange(in: &words)
        let clock = range == nil ? dates.clock(in: &words) : nil
        let duration = dates.duration(in: &words) ?? 3600
        let day = dates.day(in: &words)
        guard range != nil || clock != nil else {
            var spanWords = Words(text)
            let span = dates.span(in: &spanWords) ?? DateSpan(start: dates.today, end: time.adding(days: 1, to: dates.today), label: "today")
            return .agenda(span)
        }
        var date = day?.date ?? dates.today
        var start = dates.at(date, range?.start ?? clock!)
        if day == nil && start < now {
            // "at 9" asked at 10: the next 9 o'clock is tomorrow's.
            date = time.adding(days: 1, to: date)
            start = dates.at(date, range?.start ?? clock!)
        }
        let end = range.map { dates.at(date, $0.end) } ?? start.addingTimeInterval(duration)
        return .checkFree(start: start, end: max(end, start.addingTimeInterval(60)))
    }

    /// "lunch with Bob tomorrow 1pm for an hour", "schedule a call with the team Friday 3-4pm".
    private func createEvent(_ text: String, _ lower: String) -> Intent {
        var words = Words(text)
        var invitees: [String] = []
        if let index = words.find("invite") ?? words.find("inviting") {
            var end = index + 1
            while end < words.count, words[end].contains("@") || Self.isName(words.text(end..<(end + 1))) || words[end] == "and" { end += 1 }
            invitees = (index + 1..<end).map { words.text($0..<($0 + 1)) }.map { $0.trimmingCharacters(in: CharacterSet(charactersIn: ",")) }.filter { $0.lowercased() != "and" && !$0.isEmpty }
            words.use(index..<end)
        }
        let range = dates.clockRange(in: &words)
        let clock = range == nil ? dates.clock(in: &words) : nil
        let duration = dates.duration(in: &words)
        let day = dates.day(in: &words)
        for phrase in ["schedule", "book", "create", "set up", "setup", "arrange", "plan", "put", "organise", "organize", "make", "block out", "block", "add",
                       "on my calendar", "to my calendar", "in my calendar", "into my calendar", "on the calendar", "my calendar", "calendar",
                       "an event", "a event", "calendar event", "event", "called", "titled", "named", "a", "an"] {
            if let index = words.find(phrase), index < 2 || phrase.contains("calendar") || ["called", "titled", "named"].contains(phrase) || (phrase == "event" && index < 3) {
                words.use(index..<(index + phrase.split(separator: " ").count))
            }
        }
        var title = Self.trimQuotes(words.remaining)
        for tail in [" at", " on", " for", " from", " with", " and"] where title.lowercased().hasSuffix(tail) { title = String(title.dropLast(tail.count)) }
        if title.isEmpty { title = "Busy" }
        title = Self.sentence(title, period: false)
        guard range != nil || clock != nil else {
            let when = day.map { " \($0.label)" } ?? ""
            return .clarify("What time should \"\(title)\" start? For example: \"\(title.lowercased())\(when.isEmpty ? " tomorrow" : when) at 2pm for an hour\".")
        }
        var date = day?.date ?? dates.today
        var start = dates.at(date, range?.start ?? clock!)
        if day == nil && start < now {
            date = time.adding(days: 1, to: date)
            start = dates.at(date, range?.start ?? clock!)
        }
        var end = range.map { dates.at(date, $0.end) } ?? start.addingTimeInterval(duration ?? 3600)
        if end <= start { end = start.addingTimeInterval(duration ?? 3600) }
        return .createEvent(EventRequest(title: title, start: start, end: end, invitees: invitees))
    }

    // MARK: Notes and mail

    /// A mail search (or the newest match, `reading`): who from, how recent, which words.
    private func mail(_ text: String, _ lower: String, reading: Bool) -> Intent {
        if let who = Pattern.capture("^(?:did|has) (\\p{L}+) (?:replied|reply|answered|answer|responded|respond|written|write|emailed|email|sent|send|got|gotten|been|get)\\b", text)?.first,
           !["i", "you", "we", "anyone", "anybody", "someone", "the", "my"].contains(who.lowercased()) {
            return .searchMail(MailSearch(from: who))
        }
        var words = Words(text)
        var search = MailSearch()
        search.unreadOnly = Pattern.matches("\\b(?:unread|new|haven't read|not read|unseen)\\b", lower)
        search.since = dates.since(in: &words)
        if let index = words.find("from"), !["my", "the", "a", "an", "our"].contains(words[index + 1]) {
            var end = index + 2
            let next = words.text((index + 2)..<(index + 3))
            if Self.isName(next), !["today", "yesterday", "this", "last"].contains(next.lowercased()) { end += 1 }
            search.from = words.text((index + 1)..<end).trimmingCharacters(in: CharacterSet(charactersIn: ",'s"))
            if search.from?.isEmpty == true { search.from = nil }
        } else if let who = Pattern.capture("^what did (\\p{L}+) (?:say|write|send)", text)?.first {
            search.from = who
        }
        if Pattern.matches("\\bwith (?:an? )?attachments?\\b", lower) { search.words = "has:attachment" }
        if let topic = Pattern.capture("\\b(?:about|regarding|mentioning|containing|with subject|for) \"?([^\"]+?)\"?(?: from .*| this week| today| yesterday)?$", text)?.first,
           !Pattern.matches("^(?:me|today|this week)$", topic.lowercased()) {
            search.words = topic.contains(" ") ? "\"\(topic)\"" : topic
        }
        if search.from?.lowercased() == "me" { search.from = "me" }
        return reading ? .readMail(search) : .searchMail(search)
    }
}

/// Case-insensitive regular expressions over whole messages (named so as not to shadow
/// the standard library's `Regex`).
enum Pattern {
    private static let cache = PatternCache()

    static func matches(_ pattern: String, _ text: String) -> Bool {
        let expression = cache.expression(pattern)
        return expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// The capture groups of the first match (unmatched groups as "").
    static func capture(_ pattern: String, _ text: String) -> [String]? {
        let expression = cache.expression(pattern)
        guard let match = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) else { return nil }
        return (1..<match.numberOfRanges).map { index in
            Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
        }
    }
}

/// Compiled patterns, shared: the rules run on every message of a conversation.
private final class PatternCache: @unchecked Sendable {
    private let lock = NSLock()
    private var compiled: [String: NSRegularExpression] = [:]

    func expression(_ pattern: String) -> NSRegularExpression {
        lock.lock()
        defer { lock.unlock() }
        if let cached = compiled[pattern] { return cached }
        // The patterns are constants of this file; one that does not compile is a bug caught by the tests.
        let expression = try! NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
        compiled[pattern] = expression
        return expression
    }
}
