/// Hashes for words and features.
///
/// Why: every word is hashed once (FNV-1a over its bytes, while it is scanned), and each
/// feature's key is a cheap mix of word hashes: "b:shopping list" is
/// `bigram(hash("shopping"), hash("list"))`. The model file keeps readable feature names
/// and turns them into the same keys when it loads. That keeps detection at a few
/// microseconds per message.
enum FeatureKey {
    static func word<Bytes: Sequence>(_ bytes: Bytes) -> UInt64 where Bytes.Element == UInt8 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
        return value
    }

    static func word(_ text: String) -> UInt64 { word(text.utf8) }

    static func unigram(_ word: UInt64) -> UInt64 { mix(word ^ 0x1) }
    static func bigram(_ first: UInt64, _ second: UInt64) -> UInt64 { mix(mix(first ^ 0x2) ^ second) }
    static func start(_ word: UInt64) -> UInt64 { mix(word ^ 0x3) }
    static func group(_ name: String) -> UInt64 { mix(word(name) ^ 0x4) }
    static let bias = mix(0x5)

    /// The key of a feature written as text in the model file: "w:list", "b:shopping list",
    /// "b:^ add", "g:time", "bias".
    static func named(_ name: String) -> UInt64? {
        if name == "bias" { return bias }
        guard name.count > 2 else { return nil }
        let body = String(name.dropFirst(2))
        switch name.prefix(2) {
        case "w:": return unigram(word(body))
        case "g:": return group(body)
        case "b:":
            guard let space = body.firstIndex(of: " ") else { return nil }
            let first = String(body[..<space]), second = String(body[body.index(after: space)...])
            return first == "^" ? start(word(second)) : bigram(word(first), word(second))
        default: return nil
        }
    }

    /// SplitMix64's finaliser: spreads every input bit over the output.
    private static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Receives features as they are found: scoring adds up weights, evidence keeps the
/// words, training keeps the names. No feature list is built on the common path.
protocol FeatureSink {
    /// `words` is the index range of the words the feature came from (empty for groups);
    /// `name` is its text ("b:shopping list"), built only by sinks that ask for it.
    mutating func add(_ key: UInt64, words: Range<Int>, name: @autoclosure () -> String)
}

enum DetectorFeatures {
    /// Word groups, as features: which kinds of words the text contains.
    enum Group: String, CaseIterable {
        case mail, calendar, task, keep, time, dev, dev2, tech2, code, code3, question

        var key: UInt64 { Self.keys[Self.allCases.firstIndex(of: self)!] }
        private static let keys = allCases.map { FeatureKey.group($0.rawValue) }
    }

    /// Feeds the features of the words of `clause` (all clauses when nil) to `sink`.
    /// Negated words are left out: "don't email anyone" is no evidence for email.
    static func extract<Sink: FeatureSink>(_ text: DetectorText, clause: Int?, into sink: inout Sink) {
        let words = text.words
        var previous: Int?
        var seen: WordTraits = []
        var developer = 0
        var technical = 0
        var first = true
        for index in words.indices {
            let word = words[index]
            guard clause == nil || word.clause == clause else { continue }
            if word.negated {
                previous = nil
                continue
            }
            sink.add(FeatureKey.unigram(word.hash), words: index..<index + 1, name: "w:" + word.text)
            if first {
                sink.add(FeatureKey.start(word.hash), words: index..<index + 1, name: "b:^ " + word.text)
                first = false
            }
            if let previous, words[previous].clause == word.clause {
                sink.add(FeatureKey.bigram(words[previous].hash, word.hash), words: previous..<index + 1,
                         name: "b:\(words[previous].text) \(word.text)")
            }
            previous = index
            seen.formUnion(word.traits)
            if word.traits.contains(.developer) { developer += 1 }
            if word.traits.contains(.technical) { technical += 1 }
        }
        func group(_ group: Group) { sink.add(group.key, words: 0..<0, name: "g:" + group.rawValue) }
        if seen.contains(.mail) { group(.mail) }
        if seen.contains(.calendar) { group(.calendar) }
        if seen.contains(.task) { group(.task) }
        if seen.contains(.keep) { group(.keep) }
        if seen.contains(.time) || seen.contains(.number) { group(.time) }
        if developer > 0 { group(.dev) }
        if developer > 1 { group(.dev2) }
        if technical > 1 { group(.tech2) }
        if text.codeSignals > 0 { group(.code) }
        if text.codeSignals > 2 { group(.code3) }
        if text.isQuestion { group(.question) }
        sink.add(FeatureKey.bias, words: 0..<0, name: "bias")
    }

    /// How strongly the message reads as a programmer's question or command.
    static func developerContext(_ text: DetectorText) -> Int {
        var score = text.codeSignals * 2
        for word in text.words {
            if word.traits.contains(.developer) { score += 2 }
            if word.traits.contains(.technical) { score += 1 }
        }
        return score
    }
}

/// Adds up the model's weights: the detector's hot path.
struct ScoringSink: FeatureSink {
    let model: DetectorModel
    var logits = SIMD4<Float>(repeating: 0)

    mutating func add(_ key: UInt64, words: Range<Int>, name: @autoclosure () -> String) {
        if let weights = model.weight(key) { logits += weights }
    }
}

/// Keeps each feature's words, to explain a decision.
struct EvidenceSink: FeatureSink {
    var features: [(key: UInt64, words: Range<Int>)] = []

    mutating func add(_ key: UInt64, words: Range<Int>, name: @autoclosure () -> String) {
        features.append((key, words))
    }
}

/// Keeps the names, for training.
struct NamingSink: FeatureSink {
    var names: [String] = []

    mutating func add(_ key: UInt64, words: Range<Int>, name: @autoclosure () -> String) {
        names.append(name())
    }
}
