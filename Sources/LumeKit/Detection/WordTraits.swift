/// What the detector knows about one word, looked up once per word.
///
/// Why a bit set: the rules ask a dozen questions about every word (is it a time? a
/// technical noun? an action verb?). One dictionary lookup answering all of them keeps
/// detection within a few microseconds per message.
struct WordTraits: OptionSet, Sendable {
    let rawValue: UInt64

    static let mail = WordTraits(rawValue: 1 << 0)
    static let calendar = WordTraits(rawValue: 1 << 1)
    static let task = WordTraits(rawValue: 1 << 2)
    static let keep = WordTraits(rawValue: 1 << 3)
    static let time = WordTraits(rawValue: 1 << 4)
    static let developer = WordTraits(rawValue: 1 << 5)
    static let technical = WordTraits(rawValue: 1 << 6)
    static let actionVerb = WordTraits(rawValue: 1 << 7)
    static let clauseJoiner = WordTraits(rawValue: 1 << 8)
    static let negationEnder = WordTraits(rawValue: 1 << 9)
    static let serviceNoun = WordTraits(rawValue: 1 << 10)
    static let serviceSense = WordTraits(rawValue: 1 << 11)
    static let weakService = WordTraits(rawValue: 1 << 12)
    static let personal = WordTraits(rawValue: 1 << 13)
    static let ownershipDeterminer = WordTraits(rawValue: 1 << 14)
    static let serviceSupport = WordTraits(rawValue: 1 << 15)
    static let technicalNoun = WordTraits(rawValue: 1 << 16)
    static let technicalVerb = WordTraits(rawValue: 1 << 17)
    static let technicalObject = WordTraits(rawValue: 1 << 18)
    static let questionStart = WordTraits(rawValue: 1 << 19)
    static let emailAnchor = WordTraits(rawValue: 1 << 20)
    static let calendarAnchor = WordTraits(rawValue: 1 << 21)
    static let tasksAnchor = WordTraits(rawValue: 1 << 22)
    static let keepAnchor = WordTraits(rawValue: 1 << 23)
    static let number = WordTraits(rawValue: 1 << 24)
    /// The lexicon lists it: never "repaired" as a typo.
    static let known = WordTraits(rawValue: 1 << 25)
    static let sendVerb = WordTraits(rawValue: 1 << 26)
    static let contraction = WordTraits(rawValue: 1 << 27)
    static let negationCue = WordTraits(rawValue: 1 << 28)
    /// "list", "lists", "item", "items": what "to do" can qualify.
    static let listNoun = WordTraits(rawValue: 1 << 29)
    static let payloadHolder = WordTraits(rawValue: 1 << 31)
    static let payloadOpener = WordTraits(rawValue: 1 << 32)
    static let filler = WordTraits(rawValue: 1 << 33)
    /// "remind", "remember", "jot": verbs whose object is the content of a reminder or note.
    static let payloadVerb = WordTraits(rawValue: 1 << 34)
    /// The shipped model has weights for it.
    static let modelKnown = WordTraits(rawValue: 1 << 30)
    static let serviceWord: WordTraits = [.mail, .calendar, .task, .keep]

    static func anchor(_ service: Service) -> WordTraits {
        switch service {
        case .email: .emailAnchor
        case .calendar: .calendarAnchor
        case .tasks: .tasksAnchor
        case .keep: .keepAnchor
        }
    }

    /// The traits of every listed word, by word hash, built once from the lexicon and
    /// the model.
    static let table: HashTable<WordTraits> = {
        var byHash = Dictionary(uniqueKeysWithValues: tableByWord.map { (FeatureKey.word($0.key), $0.value) })
        for word in DetectorModel.shared.vocabulary { byHash[word, default: []].insert(.modelKnown) }
        return HashTable(byHash)
    }()

    private static let tableByWord: [String: WordTraits] = {
        var table: [String: WordTraits] = [:]
        func mark(_ words: Set<String>, _ trait: WordTraits) {
            for word in words { table[word, default: []].insert(trait) }
        }
        typealias L = DetectorLexicon
        mark(L.mailWords, .mail)
        mark(L.calendarWords, .calendar)
        mark(L.taskWords, .task)
        mark(L.keepWords, .keep)
        mark(L.timeWords, .time)
        mark(L.developerWords, .developer)
        mark(L.technicalWords, .technical)
        mark(L.actionVerbs, .actionVerb)
        mark(L.clauseJoiners, .clauseJoiner)
        mark(L.negationEnders, .negationEnder)
        mark(L.serviceNouns, .serviceNoun)
        mark(L.serviceSenseWords, .serviceSense)
        mark(L.weakServiceWords, .weakService)
        mark(L.personalWords, .personal)
        mark(L.ownershipDeterminers, .ownershipDeterminer)
        mark(L.serviceSupportWords.union(L.personalWords).union(L.timeWords), .serviceSupport)
        mark(L.technicalNouns, .technicalNoun)
        mark(L.technicalVerbs, .technicalVerb)
        mark(L.technicalObjects, .technicalObject)
        mark(L.questionStarts, .questionStart)
        mark(L.emailAnchors, .emailAnchor)
        mark(L.calendarAnchors, .calendarAnchor)
        mark(L.tasksAnchors, .tasksAnchor)
        mark(L.keepAnchors, .keepAnchor)
        mark(["send", "sending", "sends", "post"], .sendVerb)
        mark(Set(L.contractions.keys), .contraction)
        mark(["not", "never", "without", "skip", "nor", "no", "instead", "rather", "stop"], .negationCue)
        mark(["list", "lists", "item", "items"], .listNoun)
        mark(L.payloadHolders, .payloadHolder)
        mark(L.payloadOpeners, .payloadOpener)
        mark(L.fillers, .filler)
        mark(["remind", "remember", "jot"], .payloadVerb)
        for word in table.keys { table[word]!.insert(.known) }
        return table
    }()

    static func of(_ word: String, hash: UInt64) -> WordTraits {
        var traits = table.lookup(hash) ?? []
        if let first = word.utf8.first, first >= 0x30 && first <= 0x39 {
            traits.formUnion([.number, .serviceSupport])
        }
        return traits
    }
}
