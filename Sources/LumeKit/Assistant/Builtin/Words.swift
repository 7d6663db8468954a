import Foundation

/// A message as a list of words, for phrase matching: each word lowercased and stripped of
/// edge punctuation, with the original kept for the parts copied into drafts. Phrases that
/// have been understood are marked used, so what is left is the title or subject.
struct Words {
    private(set) var lower: [String]
    private(set) var original: [String]
    private(set) var used: Set<Int> = []

    init(_ text: String) {
        let normalized = text.replacingOccurrences(of: "’", with: "'").replacingOccurrences(of: "‘", with: "'")
        original = normalized.split(whereSeparator: \.isWhitespace).map(String.init)
        lower = original.map { Self.clean($0.lowercased()) }
    }

    /// "Thursday?" → "thursday"; "3pm," → "3pm"; "bob's" stays.
    static func clean(_ word: String) -> String {
        word.trimmingCharacters(in: CharacterSet(charactersIn: ",.?!;\"()[]"))
    }

    var count: Int { lower.count }

    subscript(index: Int) -> String { index >= 0 && index < lower.count ? lower[index] : "" }

    func isUsed(_ index: Int) -> Bool { used.contains(index) }

    mutating func use(_ range: Range<Int>) { used.formUnion(range.clamped(to: 0..<count)) }
    mutating func use(_ index: Int) { if index >= 0 && index < count { used.insert(index) } }

    /// The first index where `phrase` (space-separated words) starts among unused words.
    func find(_ phrase: String, from start: Int = 0) -> Int? {
        let parts = phrase.split(separator: " ").map(String.init)
        guard !parts.isEmpty, count >= parts.count, start <= count - parts.count else { return nil }
        for index in start...(count - parts.count) where (0..<parts.count).allSatisfy({ lower[index + $0] == parts[$0] && !used.contains(index + $0) }) {
            return index
        }
        return nil
    }

    /// Marks the first occurrence of `phrase` used; whether it was there.
    @discardableResult
    mutating func take(_ phrase: String) -> Bool {
        guard let index = find(phrase) else { return false }
        use(index..<(index + phrase.split(separator: " ").count))
        return true
    }

    /// The original text of the unused words in `range`, joined by spaces.
    func text(_ range: Range<Int>) -> String {
        range.clamped(to: 0..<count).filter { !used.contains($0) }.map { original[$0] }.joined(separator: " ")
    }

    /// The original words in `range`, used or not, with edge punctuation trimmed.
    func rawText(_ range: Range<Int>) -> String {
        let text = range.clamped(to: 0..<count).map { original[$0] }.joined(separator: " ")
        return text.trimmingCharacters(in: CharacterSet(charactersIn: " ,.?!;"))
    }

    /// The unused words, in order.
    var remaining: String { text(0..<count) }
}
