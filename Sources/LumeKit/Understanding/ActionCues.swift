/// The exact action within a family, from the words that tell them apart: the public
/// corpora label "reply to Ann" and "email Ann" alike (both send mail), so this is read
/// from the message, not learned. Negated words ("don't delete it, just …") are not cues.
enum ActionCues {
    static func action(in family: ActionFamily, text: DetectorText, services: Set<Service>) -> Action {
        let words = text.words.filter { !$0.negated }.map(\.text)
        let set = Set(words)
        func has(_ cues: Set<String>) -> Bool { !set.isDisjoint(with: cues) }
        switch family {
        case .calQuery:
            if isNextEvent(words) { return .nextEvent }
            if isAskingForOneEvent(words) { return .findEvent }
            return .agenda
        case .calFree:
            return hasClockTime(words) ? .checkFree : .findFree
        case .calSet:
            // "meetings next week", "any appointments today": a question about events with no
            // time to set and nothing to create is an agenda.
            if has(["meetings", "appointments", "events"]), !hasClockTime(words), !has(createWords.union(["invite", "meet"])) { return .agenda }
            // A reminder with no time of day is a to-do with a due day, not an hour blocked.
            if has(["remind", "reminder"]), !hasClockTime(words), !has(["calendar", "meeting", "appointment", "event"]) { return .addTask }
            return .createEvent
        case .calUpdate:
            if has(cancelWords) { return .cancelEvent }
            if has(changeWords) { return .updateEvent }
            if has(createWords) { return .createEvent }
            return .updateEvent
        case .calRemove:
            return .cancelEvent
        case .mailQuery:
            if has(["archive", "archived"]) { return .archiveMail }
            if isReadingOne(words) { return .readMail }
            return .searchMail
        case .mailSend:
            if has(["reply", "respond", "answer"]) { return .replyMail }
            if has(["forward", "fwd"]) { return .forwardMail }
            return .composeMail
        case .contactQuery:
            return .findContact
        case .contactAdd:
            return .addContact
        case .listQuery:
            return wantsKeep(set, services: services) ? .listNotes : .listTasks
        case .listAdd:
            if has(removeWords) && !has(["add", "put", "create", "new"]) { return removal(set, services: services) }
            return wantsKeep(set, services: services) ? .addNote : .addTask
        case .listRemove:
            return removal(set, services: services)
        case .none:
            return .chat
        }
    }

    private static func removal(_ set: Set<String>, services: Set<Service>) -> Action {
        if wantsKeep(set, services: services) { return .deleteNote }
        if !set.isDisjoint(with: doneWords) { return .completeTask }
        if !set.isDisjoint(with: ["rename", "change", "update", "edit", "move"]) { return .updateTask }
        return .deleteTask
    }

    /// A list in Keep rather than Tasks: the message says note, memo or Keep, or only
    /// Keep was flagged and nothing says task.
    private static func wantsKeep(_ set: Set<String>, services: Set<Service>) -> Bool {
        let notes = !set.isDisjoint(with: noteWords)
        let tasks = !set.isDisjoint(with: taskWords)
        return notes && !tasks
    }

    /// Idioms of typed requests the voice-assistant corpora never show, read by their shape
    /// when the model sees no request: "tell Bob that …", "let Ann know …" (mail to a named
    /// person or an address), "coffee with Dana at 4" (an occasion and a time).
    static func idiom(_ text: DetectorText, message: String) -> ActionFamily? {
        guard text.words.count >= 3 else { return nil }
        let first = text.words[0].text
        let mailIdiom = first == "tell" || (first == "let" && text.words.contains { $0.text == "know" })
        guard mailIdiom || occasions.contains(first), DetectorFeatures.developerContext(text) < 3 else { return nil }
        let words = text.words.map(\.text)
        if mailIdiom {
            let raw = message.split(whereSeparator: \.isWhitespace)
            let second = raw.count > 1 ? raw[1] : ""
            let named = second.contains("@") || (second.first?.isUppercase == true && second.count > 1)
            return named ? .mailSend : nil
        }
        return hasClockTime(words) ? .calSet : nil
    }

    private static let occasions: Set<String> = ["coffee", "lunch", "dinner", "breakfast", "drinks", "brunch", "call", "meeting", "meet",
                                                 "tennis", "gym", "yoga", "run", "walk", "haircut", "dentist", "doctor", "interview", "sync",
                                                 "standup", "date"]

    /// What lume-tui will not do however it is asked, and why: deleting mail (Gmail's own
    /// trash is one click away; a wrong guess here would lose mail).
    static func refusal(_ text: DetectorText) -> String? {
        func has(_ cues: Set<String>) -> Bool { text.words.contains { !$0.negated && cues.contains($0.text) } }
        guard has(deleteMailWords), has(mailWords) else { return nil }
        return "I can't delete mail: lume-tui reads, searches and sends it."
    }

    private static let deleteMailWords: Set<String> = ["delete", "trash", "erase", "purge", "empty"]
    private static let mailWords: Set<String> = ["email", "emails", "mail", "mails", "inbox", "spam", "e-mail", "message", "messages"]

    /// Services the message names outright: "calendar", "inbox", "to-do list", "notes".
    static func namedServices(_ text: DetectorText) -> Set<Service> {
        var named: Set<Service> = []
        for word in text.words where !word.negated {
            if let service = serviceNames[word.text] { named.insert(service) }
        }
        return named
    }

    private static let serviceNames: [String: Service] = {
        var names: [String: Service] = [:]
        for word in ["calendar", "agenda", "schedule", "meeting", "meetings", "appointment", "appointments", "event", "events"] {
            names[word] = .calendar
        }
        for word in ["inbox", "email", "emails", "gmail", "mail"] { names[word] = .email }
        for word in ["task", "tasks", "todo", "todos", "to-do"] { names[word] = .tasks }
        for word in ["note", "notes", "keep"] { names[word] = .keep }
        return names
    }()

    /// Whether the message names what `family` works on: a model sure of a family is only
    /// believed without the detector's backing when the message says "tasks", "calendar",
    /// "inbox", "contact" or the like.
    static func names(_ family: ActionFamily, in text: DetectorText) -> Bool {
        // Every word counts here, even one the detector set aside as weak ("open tasks"
        // with nothing making them the user's): the model's certainty stands in for that.
        guard let words = familyNames[family] else { return false }
        return text.words.contains { words.contains($0.text) }
    }

    private static let familyNames: [ActionFamily: Set<String>] = {
        let calendar: Set<String> = ["calendar", "agenda", "schedule", "scheduled", "meeting", "meetings", "appointment", "appointments",
                                     "event", "events", "plans", "busy", "free", "available", "booked", "upcoming"]
        let mail: Set<String> = ["email", "emails", "mail", "mails", "inbox", "gmail", "e-mail", "reply", "replied", "wrote", "write"]
        let lists = noteWords.union(taskWords).union(["list", "lists"])
        let contacts: Set<String> = ["contact", "contacts", "number", "phone", "address", "email", "details", "mobile"]
        return [.calQuery: calendar, .calFree: calendar, .calSet: calendar, .calUpdate: calendar, .calRemove: calendar,
                .mailQuery: mail, .mailSend: mail, .listQuery: lists, .listAdd: lists,
                // "mark taxes done", "tick off the laundry": the to-do idiom names it.
                .listRemove: lists.union(["done", "tick", "cross"]),
                .contactQuery: contacts, .contactAdd: contacts]
    }()

    static let noteWords: Set<String> = ["note", "notes", "keep", "memo", "memos", "jot", "notepad"]
    static let taskWords: Set<String> = ["task", "tasks", "todo", "todos", "to-do", "to-dos", "reminder", "reminders", "remind", "chore", "chores"]
    static let cancelWords: Set<String> = ["cancel", "cancelled", "canceled", "delete", "remove", "clear", "erase", "drop", "scrap"]
    static let changeWords: Set<String> = ["move", "change", "reschedule", "push", "postpone", "shift", "rename", "update", "edit", "modify", "delay"]
    static let createWords: Set<String> = ["add", "schedule", "put", "create", "set", "book", "make", "plan", "arrange"]
    static let removeWords: Set<String> = ["remove", "delete", "erase", "clear", "drop", "cross", "tick", "done", "finished", "completed"]
    static let doneWords: Set<String> = ["done", "complete", "completed", "finished", "finish", "tick", "check", "cross", "mark", "ticked", "checked"]

    /// "what's next", "my next meeting", "what's coming up" — but not "next week", "next
    /// Monday" (those are dates for an agenda).
    private static func isNextEvent(_ words: [String]) -> Bool {
        let dateWords: Set<String> = ["week", "month", "year", "weekend", "monday", "tuesday", "wednesday", "thursday", "friday",
                                      "saturday", "sunday", "day", "morning", "afternoon", "evening", "time"]
        for (index, word) in words.enumerated() where word == "next" {
            if index + 1 < words.count, dateWords.contains(words[index + 1]) { continue }
            return true
        }
        if let index = words.firstIndex(of: "coming"), index + 1 < words.count, words[index + 1] == "up" { return true }
        return false
    }

    /// "when is my brunch with jennifer", "what time is the dentist", "where is the
    /// offsite", "is the party at ten": a question about one event, not a day's agenda.
    private static func isAskingForOneEvent(_ words: [String]) -> Bool {
        guard let first = words.first else { return false }
        let agenda: Set<String> = ["anything", "something", "everything", "events", "meetings", "appointments", "plans", "schedule", "agenda", "calendar"]
        if !Set(words).isDisjoint(with: agenda) && first != "when" { return false }
        if first == "when" || first == "where" { return true }
        if first == "what", words.dropFirst().first == "time" { return true }
        if first == "is" || first == "are" { return words.count > 2 }
        return false
    }

    /// A time of day: "3pm", "3:30", "at 3", "noon", "ten am", "three o'clock".
    static func hasClockTime(_ words: [String]) -> Bool {
        let numbers: Set<String> = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
        for (index, word) in words.enumerated() {
            if ["noon", "midnight", "midday", "now", "o'clock", "oclock"].contains(word) { return true }
            let digits = word.prefix { $0.isNumber }
            let rest = word.dropFirst(digits.count)
            if !digits.isEmpty, ["am", "pm", "a.m", "p.m"].contains(String(rest)) || rest.hasPrefix(":") { return true }
            let next = index + 1 < words.count ? words[index + 1] : ""
            if (!digits.isEmpty && rest.isEmpty) || numbers.contains(word) {
                if ["am", "pm", "a.m", "p.m", "o'clock", "oclock", "p", "a"].contains(next) { return true }
                if index > 0, ["at", "@", "from", "till", "until", "by"].contains(words[index - 1]) { return true }
            }
        }
        return false
    }

    /// Reading one message rather than searching: "read the latest email from Bob", "open
    /// my last mail", "what did Ann say".
    private static func isReadingOne(_ words: [String]) -> Bool {
        let set = Set(words)
        if let first = words.first, ["read", "open"].contains(first) { return true }
        if words.starts(with: ["what", "did"]), !set.isDisjoint(with: ["say", "write", "send"]) { return true }
        return !set.isDisjoint(with: ["latest", "last", "newest", "recent", "most"]) && !set.isDisjoint(with: ["email", "mail", "message", "e-mail"])
            && set.isDisjoint(with: ["emails", "mails", "messages"])
    }
}
