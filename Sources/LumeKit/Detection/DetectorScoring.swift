import Foundation

/// One line of the labelled detector data (data/detector/*.jsonl).
public struct LabelledMessage: Decodable, Sendable {
    public var text: String
    public var expected: [String: Bool]
    public var acceptable: [[String: Bool]]
    public var id: String?
    public var source: String?

    public var expectedServices: Set<Service> { Self.services(expected) }
    public var acceptableServices: [Set<Service>] { acceptable.map(Self.services) }

    static func services(_ label: [String: Bool]) -> Set<Service> {
        Set(Service.allCases.filter { label[$0.rawValue] == true })
    }

    /// Reads a JSONL file, one labelled message per line.
    public static func load(_ path: String) throws -> [LabelledMessage] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").map { try decoder.decode(LabelledMessage.self, from: Data($0.utf8)) }
    }
}

/// Precision, recall and F1 per service, macro-F1, exact match and the none-rate, scored
/// the way data/detector/README.md defines them.
public struct DetectorScore: Sendable {
    public struct Counts: Sendable {
        public var truePositives = 0, falsePositives = 0, falseNegatives = 0
        public var precision: Double { ratio(truePositives, truePositives + falsePositives) }
        public var recall: Double { ratio(truePositives, truePositives + falseNegatives) }
        public var f1: Double {
            let p = precision, r = recall
            return p + r == 0 ? 0 : 2 * p * r / (p + r)
        }
        private func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 1 : Double(a) / Double(b) }
    }

    public var perService: [Service: Counts] = [:]
    public var lines = 0
    public var exactMatches = 0
    /// Lines whose canonical label is "no service"…
    public var expectedNone = 0
    /// …and how many of those were predicted as none.
    public var predictedNoneOfExpectedNone = 0

    public var macroF1: Double { Service.allCases.map { perService[$0]?.f1 ?? 0 }.reduce(0, +) / 4 }
    public var exactMatch: Double { lines == 0 ? 0 : Double(exactMatches) / Double(lines) }
    public var noneRate: Double { expectedNone == 0 ? 1 : Double(predictedNoneOfExpectedNone) / Double(expectedNone) }

    /// Lenient scoring takes as gold the acceptable label nearest the prediction (the
    /// earliest on a tie); strict always takes `expected`.
    public init(predictions: [Set<Service>], labels: [LabelledMessage], lenient: Bool = true) {
        precondition(predictions.count == labels.count)
        for service in Service.allCases { perService[service] = Counts() }
        for (prediction, label) in zip(predictions, labels) {
            let gold = lenient ? Self.nearest(prediction, in: label.acceptableServices) : label.expectedServices
            lines += 1
            if gold == prediction { exactMatches += 1 }
            if label.expectedServices.isEmpty {
                expectedNone += 1
                if prediction.isEmpty { predictedNoneOfExpectedNone += 1 }
            }
            for service in Service.allCases {
                switch (prediction.contains(service), gold.contains(service)) {
                case (true, true): perService[service]!.truePositives += 1
                case (true, false): perService[service]!.falsePositives += 1
                case (false, true): perService[service]!.falseNegatives += 1
                case (false, false): break
                }
            }
        }
    }

    static func nearest(_ prediction: Set<Service>, in acceptable: [Set<Service>]) -> Set<Service> {
        var best = acceptable.first ?? []
        var bestDistance = Int.max
        for label in acceptable {
            let distance = label.symmetricDifference(prediction).count
            if distance < bestDistance {
                best = label
                bestDistance = distance
            }
        }
        return best
    }

    /// A table for people: per-service P/R/F1, then the summary figures.
    public var report: String {
        var lines = ["service    precision  recall  F1     (tp/fp/fn)"]
        for service in Service.allCases {
            let c = perService[service]!
            lines.append(String(format: "%-10@ %.3f      %.3f   %.3f  (%d/%d/%d)", service.rawValue as NSString, c.precision, c.recall, c.f1, c.truePositives, c.falsePositives, c.falseNegatives))
        }
        lines.append(String(format: "macro-F1 %.3f   exact match %.3f   none-rate %.3f (%d of %d expected-none lines predicted none)   lines %d",
                            macroF1, exactMatch, noneRate, predictedNoneOfExpectedNone, expectedNone, self.lines))
        return lines.joined(separator: "\n")
    }
}
