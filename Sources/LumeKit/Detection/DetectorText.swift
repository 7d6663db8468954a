/// A message reduced to what the detector reads: lower-case words with contractions
/// expanded, typos of service words repaired, clauses marked, and negated or technical
/// spans flagged.
struct DetectorText {
    struct Word {
        var text: String
        /// FNV-1a of `text`, for cheap comparisons against rule phrases.
        var hash: UInt64
        var traits: WordTraits
        /// Which clause the word is in: multi-service messages are judged clause by clause.
        var clause: Int
        /// Inside "don't email …", or a service word in a technical sense ("mail queue",
        /// "send a GET request"): the word is evidence of nothing.
        var negated: Bool
        /// Set while scanning: clause punctuation follows this word.
        var boundaryAfter = false

        init(_ text: String, hash: UInt64? = nil, clause: Int = 0, boundaryAfter: Bool = false) {
            self.text = text
            self.hash = hash ?? FeatureKey.word(text)
            traits = WordTraits.of(text, hash: self.hash)
            self.clause = clause
            negated = false
            self.boundaryAfter = boundaryAfter
        }
    }

    private(set) var words: [Word]
    /// How code-like the original text looks: backticks, paths, flags, identifiers.
    private(set) var codeSignals: Int
    /// Ends with "?" or starts like a question.
    private(set) var isQuestion: Bool
    /// Holds an email address ("ada@example.org"): somebody's, so the message is personal
    /// however technical its other words.
    private(set) var hasEmailAddress = false

    var clauseCount: Int { (words.last?.clause ?? 0) + 1 }

    /// `isKnown` says which words need no typo repair besides the lexicon's; nil means the
    /// words the shipped model has weights for (training passes its own vocabulary).
    init(_ message: String, isKnown: ((String) -> Bool)? = nil) {
        var scanner = Scanner()
        scanner.scan(message)
        var words = scanner.words
        Self.joinTodo(&words)
        Self.repairTypos(&words, isKnown: isKnown)
        Self.markClauses(&words)
        Self.markNegation(&words)
        Self.markPayloads(&words)
        Self.markTechnicalSenses(&words)
        self.words = words
        codeSignals = scanner.codeSignals
        if message.utf8.contains(UInt8(ascii: "@")) {
            hasEmailAddress = message.split(whereSeparator: \.isWhitespace).contains { (word: Substring) -> Bool in
                guard let at = word.firstIndex(of: "@"), at > word.startIndex else { return false }
                var domain = word[word.index(after: at)...]
                while let last = domain.last, ".,;:!?)".contains(last) { domain = domain.dropLast() }
                return domain.contains(".") && domain.first != "."
            }
        }
        isQuestion = scanner.endsWithQuestionMark || (words.first?.traits.contains(.questionStart) ?? false)
    }

    // MARK: Scanning

    /// Splits text into lower-case words, noting clause punctuation and code-like shapes,
    /// and expands contractions as it goes. Works on the UTF-8 bytes: ASCII, by far the
    /// common case, never touches Unicode tables.
    struct Scanner {
        var words: [Word] = []
        var codeSignals = 0
        var endsWithQuestionMark = false

        /// The lower-cased bytes of the word being read: `length` bytes of `buffer`, which
        /// holds up to `capacity` (a word longer than that is cut, harmlessly).
        private var buffer: UnsafeMutablePointer<UInt8>?
        private var length = 0
        private var capacity = 0
        private var lastByte: UInt8? { length > 0 ? buffer![length - 1] : nil }

        private mutating func append(_ byte: UInt8) {
            guard length < capacity else { return }
            buffer![length] = byte
            length += 1
        }
        private var sawUpperAfterLower = false
        private var previousWasLower = false
        private var hasUnderscore = false
        private var hasDotInside = false
        private var pendingDot = false
        private var hasJoiner = false

        private mutating func flush(boundary: Bool) {
            // Trailing apostrophes, hyphens and dots are punctuation, not part of the word.
            while let last = lastByte, last == UInt8(ascii: "'") || last == UInt8(ascii: "-") || last == UInt8(ascii: ".") {
                length -= 1
            }
            if length > 0 {
                let bytes = UnsafeBufferPointer(start: buffer, count: length)
                let word = Word(String(decoding: bytes, as: UTF8.self), hash: FeatureKey.word(bytes))
                if hasJoiner || word.traits.contains(.contraction) {
                    DetectorText.expand(word, into: &words)
                } else {
                    words.append(word)
                }
                if sawUpperAfterLower || hasUnderscore || hasDotInside { codeSignals += 1 }
                length = 0
            }
            if boundary, !words.isEmpty { words[words.count - 1].boundaryAfter = true }
            sawUpperAfterLower = false
            previousWasLower = false
            hasUnderscore = false
            hasDotInside = false
            pendingDot = false
            hasJoiner = false
        }

        private mutating func letter(upper: Bool, lower: Bool) {
            if pendingDot { hasDotInside = true }
            pendingDot = false
            if upper && previousWasLower { sawUpperAfterLower = true }
            previousWasLower = lower
        }

        mutating func scan(_ message: String) {
            var message = message
            words.reserveCapacity(16)
            // Lower-casing can grow a character (İ → i̇), so allow three bytes per byte.
            capacity = min(message.utf8.count * 3 + 8, 4096)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { storage in
                buffer = storage.baseAddress
                message.withUTF8 { bytes in scan(bytes) }
                buffer = nil
            }
        }

        private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) {
            var lastNonSpace: UInt32 = 0x20
            var lastVisible: UInt32 = 0x20
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                var value = UInt32(byte)
                if byte < 0x80 {
                    index += 1
                    let lower = byte >= 0x61 && byte <= 0x7A
                    let upper = byte >= 0x41 && byte <= 0x5A
                    if lower || upper || (byte >= 0x30 && byte <= 0x39) {
                        letter(upper: upper, lower: lower)
                        append(upper ? byte + 32 : byte)
                    } else if length > 0 && (byte == 0x27 || byte == 0x2D || byte == 0x5F || byte == 0x2E) {
                        if byte == 0x5F { hasUnderscore = true }
                        if byte == 0x2E { pendingDot = true }
                        if byte == 0x27 || byte == 0x2D { hasJoiner = true }
                        append(byte)
                    } else {
                        separator(Unicode.Scalar(byte), after: lastNonSpace)
                    }
                } else {
                    let (scalar, length) = Self.decode(bytes, at: index)
                    index += length
                    value = scalar.value
                    let properties = scalar.properties
                    if properties.isAlphabetic || properties.numericType != nil {
                        letter(upper: properties.isUppercase, lower: properties.isLowercase)
                        for lowered in properties.lowercaseMapping.utf8 { append(lowered) }
                    } else if value == 0x2019 && length > 0 {
                        append(UInt8(ascii: "'"))
                        hasJoiner = true
                    } else {
                        separator(scalar, after: lastNonSpace)
                    }
                }
                if value == 0x20 || (value >= 0x09 && value <= 0x0D) || (value >= 0x80 && Unicode.Scalar(value)?.properties.isWhitespace == true) {
                    lastNonSpace = 0x20
                } else {
                    lastNonSpace = value
                    lastVisible = value
                }
            }
            flush(boundary: true)
            endsWithQuestionMark = lastVisible == 0x3F
        }

        /// Decodes the scalar starting at `index` (a non-ASCII lead byte); invalid bytes
        /// read as U+FFFD, one byte at a time.
        private static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
            let lead = bytes[index]
            let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            guard length > 1, index + length <= bytes.count else { return ("\u{FFFD}", 1) }
            var value = UInt32(lead) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
            for offset in 1..<length {
                let continuation = bytes[index + offset]
                guard continuation & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
                value = value << 6 | UInt32(continuation & 0x3F)
            }
            return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
        }

        private mutating func separator(_ scalar: Unicode.Scalar, after previous: UInt32) {
            if scalar == " " {
                if length > 0 { flush(boundary: lastByte == UInt8(ascii: ".")) }
                return
            }
            let endsSentence = lastByte == UInt8(ascii: ".")
            flush(boundary: endsSentence || DetectorLexicon.isClausePunctuation(scalar))
            if DetectorLexicon.isCodePunctuation(scalar) { codeSignals += 1 }
            // "--force", "-rf", "/usr/bin": a flag or a path.
            if (scalar == "-" || scalar == "/") && (previous == 0x20 || previous == 0x2D || previous == 0x2F) {
                codeSignals += 1
            }
        }
    }

    // MARK: Normalising

    /// Appends `token` as the words it stands for: contractions expanded ("don't" → "do
    /// not"), possessive "'s" dropped, service words joined ("e-mail", "to-do"), other
    /// hyphenated words split; "to do list" becomes "todo list".
    static func expand(_ token: Word, into words: inout [Word]) {
        let text = token.text
        if let expansion = DetectorLexicon.contractions[text] {
            words += expansion.map { Word($0) }
        } else if let joined = DetectorLexicon.joinedSpellings[text] {
            words.append(Word(joined))
        } else if text.utf8.contains(UInt8(ascii: "'")) {
            words += splitApostrophe(text).map { Word($0) }
        } else {
            for piece in text.split(separator: "-") where !piece.isEmpty { words.append(Word(String(piece))) }
        }
    }

    /// "to do list" is one thing: a todo list.
    static func joinTodo(_ words: inout [Word]) {
        var index = 2
        while index < words.count {
            if words[index].traits.contains(.listNoun), words[index - 2].hash == to, words[index - 1].hash == Self.doWord {
                var todo = Word("todo")
                todo.boundaryAfter = words[index - 1].boundaryAfter
                words.replaceSubrange((index - 2)..<index, with: [todo])
            } else {
                index += 1
            }
        }
    }

    /// "john's" → "john", "you'll" → "you will", "isn't" → "is not".
    private static func splitApostrophe(_ text: String) -> [String] {
        let parts = text.split(separator: "'", maxSplits: 1, omittingEmptySubsequences: false)
        let stem = String(parts[0])
        let suffix = parts.count > 1 ? String(parts[1]) : ""
        switch suffix {
        case "s", "": return stem.isEmpty ? [] : [stem]
        case "t" where stem.hasSuffix("n"): return [String(stem.dropLast()), "not"]
        case "ll": return [stem, "will"]
        case "re": return [stem, "are"]
        case "ve": return [stem, "have"]
        case "d": return [stem, "would"]
        case "m": return [stem, "am"]
        default: return [stem + suffix]
        }
    }

    /// Repairs misspelt service words ("emial", "calender", "tommorow") that are not words
    /// the detector already knows. Only words of four letters or more, and only into the
    /// short list of words that decide a service, so ordinary words are never "corrected".
    static func repairTypos(_ words: inout [Word], isKnown: ((String) -> Bool)?) {
        for index in words.indices {
            let word = words[index]
            guard word.text.utf8.count >= 4, word.traits.isDisjoint(with: [.known, .number]) else { continue }
            let known = isKnown.map { $0(word.text) } ?? word.traits.contains(.modelKnown)
            guard !known, let fixed = DetectorLexicon.typoTarget(for: word.text) else { continue }
            var repaired = Word(fixed)
            repaired.boundaryAfter = word.boundaryAfter
            words[index] = repaired
        }
    }

    /// Numbers clauses: a new clause starts after clause punctuation, and at "and", "then",
    /// "also", "plus" when an action verb follows ("email Bob and add a task").
    static func markClauses(_ words: inout [Word]) {
        var clause = 0
        for index in words.indices {
            words[index].clause = clause
            if words[index].boundaryAfter {
                clause += 1
            } else if words[index].traits.contains(.clauseJoiner), index > 0 {
                var next = index + 1
                while next < words.count, words[next].traits.contains(.clauseJoiner) || words[next].hash == please {
                    next += 1
                }
                if next < words.count, words[next].traits.contains(.actionVerb) {
                    clause += 1
                    words[index].clause = clause
                }
            }
        }
    }

    /// Flags words negated as an instruction: "don't email anyone", "no need to schedule it",
    /// "instead of emailing him". The scope starts at the cue when an action verb or service
    /// noun follows within three words, and ends with the clause or at "just", "only",
    /// "but", "instead". "I don't have any meetings" is not an instruction and stays.
    static func markNegation(_ words: inout [Word]) {
        var index = 0
        while index < words.count {
            guard let cueLength = DetectorLexicon.negationCueLength(words, at: index) else {
                index += 1
                continue
            }
            let start = index + cueLength
            let lookahead = words[min(start, words.count)..<min(words.count, start + 3)]
            // An instruction: an action verb follows ("don't email", "no need to schedule"), or
            // the thing itself does ("no email", "not a meeting"). "I don't have any
            // meetings" is a statement, and stays.
            let firstContent = lookahead.first { !$0.traits.contains(.filler) }
            guard lookahead.contains(where: { $0.traits.contains(.actionVerb) }) || firstContent?.traits.contains(.serviceNoun) == true else {
                index += 1
                continue
            }
            let clause = words[index].clause
            // "do not email": the auxiliary belongs to the negated instruction too.
            if index > 0, words[index].hash == not, auxiliaries.contains(words[index - 1].hash),
               words[index - 1].clause == clause {
                words[index - 1].negated = true
            }
            var scope = index
            while scope < words.count, words[scope].clause == clause,
                  scope == index || !words[scope].traits.contains(.negationEnder) {
                words[scope].negated = true
                scope += 1
            }
            index = scope
        }
    }

    /// Flags the content of a to-do, reminder or note as no request of its own: in "add a
    /// task to email Bob", "remind me to send that email", "a note about the meeting",
    /// the email and the meeting are what the task or note is about. Times stay: they
    /// still say when.
    static func markPayloads(_ words: inout [Word]) {
        var index = 0
        while index + 1 < words.count {
            let word = words[index], next = words[index + 1]
            var start: Int?
            if word.traits.contains(.payloadHolder) && next.traits.contains(.payloadOpener) {
                start = index + 2
            } else if word.traits.contains(.payloadVerb) {
                if next.hash == Self.me, index + 2 < words.count, words[index + 2].traits.contains(.payloadOpener) {
                    start = index + 3  // "remind me to …"
                } else if word.hash != Self.remind && (next.hash == Self.to || next.hash == Self.that || next.hash == Self.down) {
                    start = index + 2  // "remember to …", "jot down …"
                }
            }
            guard let start else {
                index += 1
                continue
            }
            let clause = word.clause
            var position = start
            while position < words.count, words[position].clause == clause {
                if words[position].traits.isDisjoint(with: [.time, .number]) { words[position].negated = true }
                position += 1
            }
            index = position
        }
    }

    private static let me = FeatureKey.word("me")
    private static let to = FeatureKey.word("to")
    private static let that = FeatureKey.word("that")
    private static let down = FeatureKey.word("down")
    private static let remind = FeatureKey.word("remind")
    private static let not = FeatureKey.word("not")
    private static let please = FeatureKey.word("please")
    private static let doWord = FeatureKey.word("do")
    private static let auxiliaries: Set<UInt64> = Set(["do", "does", "did", "please"].map(FeatureKey.word))

    /// Flags service words used in a technical sense, so they count for nothing:
    /// - next to a technical noun: "mail queue", "event loop", "task runner", "list items";
    /// - the object of a technical verb, unless it is the user's own: "monitor all events",
    ///   "flatten a list" (but "sort my list" stays);
    /// - "send" whose object is technical: "send a GET request", "send SIGTERM";
    /// - weak service words ("list", "task", "event") with nothing around them that makes
    ///   them the user's ("my list", "the list", "a task for tomorrow", "add a task").
    static func markTechnicalSenses(_ words: inout [Word]) {
        for index in words.indices where !words[index].negated {
            let traits = words[index].traits
            guard traits.contains(.serviceSense) || traits.contains(.sendVerb) else { continue }
            let clause = words[index].clause
            func neighbour(_ offset: Int) -> Word? {
                let position = index + offset
                guard words.indices.contains(position), words[position].clause == clause else { return nil }
                return words[position]
            }
            if traits.contains(.sendVerb) {
                if (1...4).contains(where: { neighbour($0)?.traits.contains(.technicalObject) == true }) {
                    words[index].negated = true
                }
                continue
            }
            if neighbour(-1)?.traits.contains(.technicalNoun) == true || neighbour(1)?.traits.contains(.technicalNoun) == true {
                words[index].negated = true
                continue
            }
            var governedByTechnicalVerb = false
            for back in 1...4 {
                guard let before = neighbour(-back) else { break }
                if before.traits.contains(.personal) || before.traits.contains(.serviceSense) { break }
                if before.traits.contains(.technicalVerb) {
                    governedByTechnicalVerb = true
                    break
                }
            }
            if governedByTechnicalVerb {
                words[index].negated = true
                continue
            }
            if traits.contains(.weakService) {
                let determiner = neighbour(-1)?.traits.contains(.ownershipDeterminer) == true
                let supported = determiner || [-3, -2, -1, 1, 2, 3].contains { neighbour($0)?.traits.contains(.serviceSupport) == true }
                if !supported { words[index].negated = true }
            }
        }
    }
}
