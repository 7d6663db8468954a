import Foundation

/// The detector's verdict on one message.
public struct ServiceDetection: Equatable, Sendable {
    /// The flagged services, in the canonical order (email, calendar, tasks, keep).
    public var services: [Service]
    /// For each flagged service, the words or phrases that decided it.
    public var evidence: [Service: [String]]
    /// For each flagged service, how sure the detector is (0…1).
    public var confidence: [Service: Double]

    public static let none = ServiceDetection(services: [], evidence: [:], confidence: [:])

    public func contains(_ service: Service) -> Bool { services.contains(service) }

    /// Exactly `{"email":true,"calendar":false,"tasks":true,"keep":false}`: this key order,
    /// no spaces (CONTRACT.md).
    public var json: String { Self.json(services) }

    /// The JSON form for any set of services; the sixteen possible answers are built once.
    public static func json(_ services: [Service]) -> String {
        var index = 0
        for service in services { index |= 1 << Service.allCases.firstIndex(of: service)! }
        return jsonForms[index]
    }

    private static let jsonForms: [String] = (0..<16).map { bits in
        "{" + Service.allCases.enumerated().map { "\"\($1.rawValue)\":\(bits & (1 << $0) != 0)" }.joined(separator: ",") + "}"
    }
}

/// Says which Google services a message needs. Pure and thread-safe; its model is loaded
/// once, on first use.
///
/// How it decides (numbers in BENCHMARKS.md and the issue notes):
/// 1. Questions about the assistant itself need nothing.
/// 2. A logistic model per service reads the words, word pairs and word groups of the
///    whole message, and of each clause when there are several, so "email Bob and add a
///    task" flags both. Negated instructions ("don't email anyone") are not read.
/// 3. Explicit phrases ("shopping list", "am I free", "send an email") flag a service even
///    when the model is unsure.
/// 4. In a programmer's context ("send a POST request with curl", "list comprehension"),
///    only personal phrases ("my calendar") count.
public struct ServiceDetector: Sendable {
    public static let shared = ServiceDetector()

    private var model: DetectorModel { DetectorModel.shared }

    public init() {}

    public func detect(_ message: String) -> ServiceDetection {
        detect(message, explaining: true)
    }

    /// Only the verdict, without evidence: for scoring and batch runs, where nobody reads
    /// the evidence and working it out would cost a second pass.
    public func services(_ message: String) -> [Service] {
        detect(message, explaining: false).services
    }

    private func detect(_ message: String, explaining: Bool) -> ServiceDetection {
        detect(DetectorText(message), explaining: explaining)
    }

    /// The verdict on a message already read into words (understanding reads it once for
    /// both models).
    func detect(_ text: DetectorText, explaining: Bool) -> ServiceDetection {
        guard text.words.contains(where: { !$0.negated }), !DetectorRules.isAboutAssistant(text.words) else { return .none }

        // The best probability per service over the whole message and each clause, and
        // which clause (nil: the whole) it came from.
        var best = SIMD4<Float>(repeating: 0)
        var bestClause: [Int?] = [nil, nil, nil, nil]
        func consider(clause: Int?) {
            var present: WordTraits = []
            var count = 0
            for word in text.words where !word.negated && (clause == nil || word.clause == clause) {
                present.formUnion(word.traits)
                count += 1
            }
            // A clause of a word or two ("do I?") says too little to judge alone.
            guard clause == nil || count >= 3 else { return }
            var sink = ScoringSink(model: model)
            DetectorFeatures.extract(text, clause: clause, into: &sink)
            let probabilities = model.probabilities(sink.logits)
            for (index, service) in Service.allCases.enumerated()
            where probabilities[index] > best[index] && present.contains(WordTraits.anchor(service)) {
                best[index] = probabilities[index]
                bestClause[index] = clause
            }
        }
        consider(clause: nil)
        if text.clauseCount > 1 {
            for clause in 0..<text.clauseCount { consider(clause: clause) }
        }

        let developer = DetectorFeatures.developerContext(text) >= 3
        var flagged: [Service] = []
        var evidence: [Service: [String]] = [:]
        var confidence: [Service: Double] = [:]
        for (index, service) in Service.allCases.enumerated() where !developer && best[index] >= model.thresholds[index] {
            flagged.append(service)
            confidence[service] = Double(best[index])
            if explaining { evidence[service] = explain(service: index, clause: bestClause[index], text: text) }
        }
        for (pattern, range) in DetectorRules.matches(in: text) where !developer || pattern.personal {
            guard !flagged.contains(pattern.service) || (explaining && evidence[pattern.service]?.isEmpty == true) else { continue }
            if !flagged.contains(pattern.service) { flagged.append(pattern.service) }
            confidence[pattern.service] = max(confidence[pattern.service] ?? 0, 0.95)
            let phrase = range.map { text.words[$0].text }.joined(separator: " ")
            evidence[pattern.service] = [phrase] + (evidence[pattern.service] ?? [])
        }
        guard !flagged.isEmpty else { return .none }
        return ServiceDetection(services: Service.allCases.filter(flagged.contains), evidence: evidence, confidence: confidence)
    }

    /// The words behind a service's score: the phrases that pushed it up most, trimmed of
    /// little words ("i free" → "free"), longest first where one contains another.
    private func explain(service index: Int, clause: Int?, text: DetectorText) -> [String] {
        var sink = EvidenceSink()
        DetectorFeatures.extract(text, clause: clause, into: &sink)
        var contributions: [(weight: Float, words: Range<Int>)] = []
        for feature in sink.features where !feature.words.isEmpty {
            guard let weight = model.weight(feature.key)?[index], weight > 0.3 else { continue }
            var range = feature.words
            while !range.isEmpty, DetectorLexicon.evidenceStopwords.contains(text.words[range.lowerBound].text) { range = range.dropFirst() }
            while !range.isEmpty, DetectorLexicon.evidenceStopwords.contains(text.words[range.upperBound - 1].text) { range = range.dropLast() }
            if !range.isEmpty { contributions.append((weight, range)) }
        }
        contributions.sort { $0.weight > $1.weight }
        var chosen: [Range<Int>] = []
        for contribution in contributions where chosen.count < 3 {
            let range = contribution.words
            if chosen.contains(where: { $0.lowerBound <= range.lowerBound && range.upperBound <= $0.upperBound }) { continue }
            chosen.removeAll { range.lowerBound <= $0.lowerBound && $0.upperBound <= range.upperBound }
            chosen.append(range)
        }
        return chosen.map { text.words[$0].map(\.text).joined(separator: " ") }
    }
}

extension ServiceDetector {
    /// The compact form of a trained model (see `DetectorModel`), for the training tool.
    public static func encodeModel(thresholds: SIMD4<Float>, features: [(name: String, weights: SIMD4<Float>)]) -> Data {
        DetectorModel.encode(thresholds: thresholds, features: features)
    }

    /// The words of a message as the detector reads them, before typo repair: training
    /// builds its vocabulary from these.
    public static func trainingWords(_ message: String) -> [String] {
        DetectorText(message, isKnown: { _ in true }).words.map(\.text)
    }

    /// The model's input for one whole message, as feature names ("w:list",
    /// "b:shopping list", "g:time"): what training fits weights to. `isKnown` must be the
    /// vocabulary the trained model will have, so typos are repaired as they will be.
    public static func trainingFeatures(_ message: String, isKnown: (String) -> Bool) -> [String] {
        let text = withoutActuallyEscaping(isKnown) { DetectorText(message, isKnown: $0) }
        var sink = NamingSink()
        DetectorFeatures.extract(text, clause: nil, into: &sink)
        return sink.names
    }
}
