/// Phrases that decide a service outright, and messages that need none whatever words
/// they use. Rules cover what the learned model cannot see in its voice-assistant training
/// data: questions about lume-tui itself, and explicit requests it reads too timidly.
enum DetectorRules {
    /// A phrase as words; "*" matches any one word, "a|an" either word.
    struct Pattern {
        let service: Service
        /// Per position, the hashes of the words allowed there (empty: any word).
        let words: [[UInt64]]
        let text: String
        /// Counts even in a programmer's context ("my calendar" is never about code).
        let personal: Bool

        init(_ service: Service, _ text: String, personal: Bool = false) {
            self.service = service
            self.text = text
            words = text.split(separator: " ").map { options in
                options == "*" ? [] : options.split(separator: "|").map { FeatureKey.word(String($0)) }
            }
            self.personal = personal
        }

        /// The indices of the words the pattern matches from `start` on, staying in one
        /// clause and stepping over negated words; nil if it does not match there.
        func match(_ words: [DetectorText.Word], at start: Int) -> [Int]? {
            var matched: [Int] = []
            var position = start
            let clause = words[start].clause
            for options in self.words {
                while position < words.count, words[position].negated { position += 1 }
                guard position < words.count, words[position].clause == clause,
                      options.isEmpty || options.contains(words[position].hash) else { return nil }
                matched.append(position)
                position += 1
            }
            return matched
        }
    }

    /// Patterns by the hash of the words they can start with.
    static let patternsByFirstWord: HashTable<[Pattern]> = {
        var index: [UInt64: [Pattern]] = [:]
        for pattern in patterns {
            for first in pattern.words[0] { index[first, default: []].append(pattern) }
        }
        return HashTable(index)
    }()

    /// Each pattern matching within one clause, skipping negated words, with the indices
    /// of the words it matched.
    static func matches(in text: DetectorText) -> [(pattern: Pattern, range: [Int])] {
        var found: [(Pattern, [Int])] = []
        let words = text.words
        for start in words.indices where !words[start].negated {
            guard let candidates = patternsByFirstWord.lookup(words[start].hash) else { continue }
            for pattern in candidates {
                if let range = pattern.match(words, at: start) { found.append((pattern, range)) }
            }
        }
        return found
    }

    static let patterns: [Pattern] = [
        // email
        Pattern(.email, "send a|an email|mail|e-mail"),
        Pattern(.email, "write a|an email"),
        Pattern(.email, "draft a|an email|reply"),
        Pattern(.email, "compose a|an email"),
        Pattern(.email, "reply to * email"),
        Pattern(.email, "forward the|this|that email"),
        Pattern(.email, "my inbox|gmail", personal: true),
        Pattern(.email, "my email|emails|mail", personal: true),
        Pattern(.email, "unread email|emails|mail|messages"),
        Pattern(.email, "email me", personal: true),
        Pattern(.email, "new emails|email|mail"),
        Pattern(.email, "any emails|email|mail"),
        Pattern(.email, "know by email|mail"),
        // calendar
        Pattern(.calendar, "my calendar|agenda|schedule", personal: true),
        Pattern(.calendar, "the calendar", personal: false),
        Pattern(.calendar, "am i free|busy|available", personal: true),
        Pattern(.calendar, "is my afternoon|morning|evening|day|week free|clear|open", personal: true),
        Pattern(.calendar, "when am i free|available", personal: true),
        Pattern(.calendar, "do i have a|any meeting|meetings|appointment|appointments|events|event|plans", personal: true),
        Pattern(.calendar, "schedule a|an|the meeting|call|appointment|lunch|dinner|event|sync|standup|interview"),
        Pattern(.calendar, "book a|an|the meeting|appointment|room"),
        Pattern(.calendar, "set up a|an meeting|call|appointment"),
        Pattern(.calendar, "my next meeting|appointment|event", personal: true),
        Pattern(.calendar, "my meetings|appointments|events", personal: true),
        // tasks
        Pattern(.tasks, "todo list|lists"),
        Pattern(.tasks, "to do list|lists"),
        Pattern(.tasks, "my tasks|todos|todo", personal: true),
        Pattern(.tasks, "add a|an|the task|todo"),
        Pattern(.tasks, "create a|an task|todo"),
        Pattern(.tasks, "new task|todo"),
        Pattern(.tasks, "to my tasks|todos", personal: true),
        Pattern(.tasks, "mark * as done|complete|completed|finished"),
        Pattern(.tasks, "mark * * as done|complete|completed|finished"),
        Pattern(.tasks, "mark * * * as done|complete|completed|finished"),
        // keep
        Pattern(.keep, "jot this|that|it down"),
        Pattern(.keep, "jot down"),
        Pattern(.keep, "take|make|write|create|add|leave|new a|an note|memo"),
        Pattern(.keep, "new note|memo"),
        Pattern(.keep, "note to self"),
        Pattern(.keep, "shopping list|lists"),
        Pattern(.keep, "grocery list|lists"),
        Pattern(.keep, "my notes|note", personal: true),
        Pattern(.keep, "google keep"),
        Pattern(.keep, "in keep"),
        Pattern(.keep, "write this|that down"),
    ]

    /// Questions about lume-tui itself need no service: "what can you do?", "who made
    /// you?", "do you support Gmail?".
    static func isAboutAssistant(_ words: [DetectorText.Word]) -> Bool {
        guard let first = words.first?.text, assistantOpeners.contains(first) else { return false }
        return isAboutAssistant(words.prefix(8).map(\.text))
    }

    /// First words of the questions below, to skip the check for every other message.
    private static let assistantOpeners: Set<String> = ["what", "who", "how", "do", "are", "which", "can", "tell", "help", "hey", "hi", "lume"]

    static func isAboutAssistant(_ words: [String]) -> Bool {
        let openings: [[String]] = [
            ["what", "can", "you", "do"], ["what", "can", "you", "help"], ["what", "are", "you"],
            ["who", "are", "you"], ["who", "made", "you"], ["who", "built", "you"], ["who", "created", "you"],
            ["who", "wrote", "you"], ["who", "designed", "you"], ["how", "do", "you", "work"],
            ["how", "does", "this", "work"], ["do", "you", "support"], ["are", "you", "an"],
            ["are", "you", "a"], ["what", "is", "your", "name"], ["what", "services"], ["which", "services"],
            ["what", "is", "lume"], ["how", "do", "i", "use", "you"], ["can", "you", "even"],
            ["what", "do", "you", "know", "about", "yourself"], ["tell", "me", "about", "yourself"],
        ]
        let body = words.first == "hey" || words.first == "hi" || words.first == "lume" ? Array(words.dropFirst()) : words
        if body == ["help"] || body == ["help", "me"] { return true }
        return openings.contains { opening in body.starts(with: opening) }
    }
}
