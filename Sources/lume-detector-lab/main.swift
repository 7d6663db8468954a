import Foundation
import LumeKit

// Trains and scores lume-tui's service detector (docs in data/detector/README.md).
//
//   swift run -c release lume-detector-lab train     # data/detector/{train,authored}.jsonl
//                                                    #   -> Sources/LumeKit/Detection/DetectorWeights.swift
//   swift run -c release lume-detector-lab score data/detector/dev.jsonl data/detector/dev_negatives.jsonl
//   swift run -c release lume-detector-lab errors data/detector/dev.jsonl
//   swift run -c release lume-detector-lab bench 200000   # messages/s on one core
//   echo "am I free Thursday?" | swift run -c release lume-detector-lab probe
//   swift run -c release lume-detector-lab lines 100000 > lines.txt   # input for detect --batch
//
// Training is deterministic: same data, same weights, byte for byte.

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("lume-detector-lab: \(message)\n".utf8))
    exit(2)
}

func load(_ path: String) -> [LabelledMessage] {
    do { return try LabelledMessage.load(path) } catch { fail("cannot read \(path): \(error)") }
}

struct Example {
    var features: [Int]
    /// Per service: 1 positive, 0 negative.
    var targets: [Float]
    /// Per service: false where the data accepts either answer (ambiguous lines).
    var counts: [Bool]
    var isNone: Bool
}

/// Logistic regression per service: AdaGrad, L2, a fixed number of passes.
struct Trainer {
    var epochs = 40
    var learningRate: Float = 0.3
    var l2: Float = 2e-4

    func train(_ examples: [Example], featureCount: Int, seed: UInt64) -> [[Float]] {
        var weights = [[Float]](repeating: [Float](repeating: 0, count: featureCount), count: 4)
        var squares = [[Float]](repeating: [Float](repeating: 1e-6, count: featureCount), count: 4)
        var order = Array(examples.indices)
        var random = SeededRandom(state: seed)
        for _ in 0..<epochs {
            order.shuffle(using: &random)
            for index in order {
                let example = examples[index]
                for service in 0..<4 {
                    var z: Float = 0
                    for f in example.features { z += weights[service][f] }
                    let p = 1 / (1 + expf(-z))
                    let gradient = p - example.targets[service]
                    for f in example.features {
                        let g = gradient + l2 * weights[service][f]
                        squares[service][f] += g * g
                        weights[service][f] -= learningRate * g / squares[service][f].squareRoot()
                    }
                }
            }
        }
        return weights
    }
}

func probability(_ weights: [[Float]], _ features: [Int], _ service: Int) -> Float {
    var z: Float = 0
    for f in features { z += weights[service][f] }
    return 1 / (1 + expf(-z))
}

/// The digest of a model's training files, as `TrainingInputs` defines it.
func trainingDigest(_ paths: [String]) -> String {
    TrainingInputs.digest(paths.map { path in
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else { fail("cannot read \(path)") }
        return (path, [UInt8](data))
    })
}

func train() {
    let data = root + "/data/detector"
    let labelled = load(data + "/train.jsonl") + load(data + "/authored.jsonl")
    // Vocabulary: words seen at least twice, as the shipped model will know them.
    var wordCounts: [String: Int] = [:]
    for line in labelled {
        for word in ServiceDetector.trainingWords(line.text) { wordCounts[word, default: 0] += 1 }
    }
    let vocabulary = Set(wordCounts.filter { $0.value >= 2 }.keys)

    var featureCounts: [String: Int] = [:]
    let named = labelled.map { line -> [String] in
        // Sorted: a set's order changes from run to run, and with it the sums, so the weights would too.
        let features = Set(ServiceDetector.trainingFeatures(line.text, isKnown: vocabulary.contains)).sorted()
        for feature in features { featureCounts[feature, default: 0] += 1 }
        return features
    }
    var names = featureCounts.filter { $0.value >= 2 || $0.key.hasPrefix("g:") || $0.key == "bias" }.keys.sorted()
    for word in vocabulary where !names.contains("w:" + word) { names.append("w:" + word) }
    names.sort()
    let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })

    let examples = zip(labelled, named).map { line, features -> Example in
        let expected = line.expectedServices
        let acceptable = line.acceptableServices
        // Where the data accepts several readings of a request ("add eggs to my list": Keep
        // or Tasks), learn to flag all of them: every reading is then covered. Lines that
        // need nothing stay negative, with their keyword services left out of the count.
        let union = expected.isEmpty ? [] : acceptable.reduce(Set<Service>()) { $0.union($1) }
        return Example(
            features: features.compactMap { index[$0] },
            targets: Service.allCases.map { union.contains($0) ? 1 : 0 },
            counts: Service.allCases.map { service in
                !expected.isEmpty || acceptable.allSatisfy { !$0.contains(service) }
            },
            isNone: expected.isEmpty)
    }

    // Thresholds from 5-fold cross-validation. The hidden test has ~72% lines needing no
    // service against ~52% here, so those lines weigh more when choosing (README of the data).
    let noneWeight: Float = (0.72 / 0.28) / (0.52 / 0.48)
    let trainer = Trainer()
    var outOfFold = [[Float]](repeating: [0, 0, 0, 0], count: examples.count)
    for fold in 0..<5 {
        let trainPart = examples.indices.filter { $0 % 5 != fold }.map { examples[$0] }
        let weights = trainer.train(trainPart, featureCount: names.count, seed: 7 + UInt64(fold))
        for i in examples.indices where i % 5 == fold {
            outOfFold[i] = (0..<4).map { probability(weights, examples[i].features, $0) }
        }
    }
    var thresholds: [Float] = []
    for service in 0..<4 {
        var best: (f1: Float, threshold: Float) = (0, 0.5)
        for step in 0...28 {
            let threshold = 0.2 + Float(step) * 0.025
            var tp: Float = 0, fp: Float = 0, fn: Float = 0
            for (i, example) in examples.enumerated() where example.counts[service] {
                let weight: Float = example.isNone ? noneWeight : 1
                let predicted = outOfFold[i][service] >= threshold
                let actual = example.targets[service] == 1
                if predicted && actual { tp += weight } else if predicted { fp += weight } else if actual { fn += weight }
            }
            let f1 = tp == 0 ? 0 : 2 * tp / (2 * tp + fp + fn)
            if f1 > best.f1 { best = (f1, threshold) }
        }
        thresholds.append(best.threshold)
        print("\(Service.allCases[service].rawValue): threshold \(best.threshold), cross-validated weighted F1 \(String(format: "%.3f", best.f1))")
    }

    let weights = trainer.train(examples, featureCount: names.count, seed: 7)
    var features: [(name: String, weights: SIMD4<Float>)] = []
    for (i, name) in names.enumerated() {
        let values = SIMD4<Float>((0..<4).map { weights[$0][i] })
        // Every known word stays (it is the vocabulary typo repair trusts); other features
        // that weigh nothing are dropped.
        if !name.hasPrefix("w:") && (0..<4).allSatisfy({ abs(values[$0]) < 0.01 }) { continue }
        features.append((name, values))
    }
    let encoded = ServiceDetector.encodeModel(thresholds: SIMD4<Float>(thresholds), features: features).base64EncodedString()
    let lines = stride(from: 0, to: encoded.count, by: 120).map { offset -> String in
        let start = encoded.index(encoded.startIndex, offsetBy: offset)
        return String(encoded[start..<(encoded.index(start, offsetBy: 120, limitedBy: encoded.endIndex) ?? encoded.endIndex)])
    }
    let source = """
        // Generated by `swift run -c release lume-detector-lab train` from data/detector/train.jsonl
        // and data/detector/authored.jsonl; do not edit. data/detector/model-weights.tsv is the
        // same model, readable. \(features.count) features; thresholds (email, calendar, tasks, keep):
        // \(thresholds.map { String(format: "%.3f", $0) }.joined(separator: ", ")).
        enum DetectorWeights {
            /// `TrainingInputs.digest` of `TrainingInputs.serviceDetector` when trained.
            static let trainedOn = "\(trainingDigest(TrainingInputs.serviceDetector))"
            static let base64 = \"\"\"
        \(lines.joined(separator: "\n"))
        \"\"\"
        }

        """
    let output = root + "/Sources/LumeKit/Detection/DetectorWeights.swift"
    do { try source.write(toFile: output, atomically: true, encoding: .utf8) } catch { fail("cannot write \(output)") }
    // The readable twin, for reviewing a retrained model as a diff.
    let table = features.map { feature in
        feature.name + "\t" + (0..<4).map { String(format: "%.3f", feature.weights[$0]) }.joined(separator: "\t")
    }.joined(separator: "\n")
    let readable = root + "/data/detector/model-weights.tsv"
    do {
        try ("# feature\temail\tcalendar\ttasks\tkeep (lume-detector-lab train)\nthreshold\t" + thresholds.map { String(format: "%.3f", $0) }.joined(separator: "\t") + "\n" + table + "\n")
            .write(toFile: readable, atomically: true, encoding: .utf8)
    } catch { fail("cannot write \(readable)") }
    print("wrote \(output) (\(source.utf8.count) bytes) and \(readable): \(features.count) features")
    trainActions(vocabulary: vocabulary)
}

/// The services `lume-tui detect` reports: understanding's (the detector's, reconciled with
/// the action); `--detector` scores the detector alone.
func score(_ paths: [String], detectorOnly: Bool) {
    let detector = ServiceDetector.shared
    for path in paths {
        let labels = load(path)
        let start = Date()
        let predictions = labels.map { Set(detectorOnly ? detector.services($0.text) : understanding.read($0.text, explaining: false).services) }
        let elapsed = Date().timeIntervalSince(start)
        print("== \(path) (lenient)")
        print(DetectorScore(predictions: predictions, labels: labels).report)
        print("strict: macro-F1 \(String(format: "%.3f", DetectorScore(predictions: predictions, labels: labels, lenient: false).macroF1))   \(Int(Double(labels.count) / elapsed)) messages/s")
    }
}

func errors(_ path: String) {
    let detector = ServiceDetector.shared
    for label in load(path) {
        let detection = detector.detect(label.text)
        let predicted = Set(detection.services)
        if !label.acceptableServices.contains(predicted) {
            let expected = label.expectedServices.map(\.rawValue).sorted().joined(separator: ",")
            let got = detection.services.map { "\($0.rawValue)(\(String(format: "%.2f", detection.confidence[$0] ?? 0)) \(detection.evidence[$0] ?? []))" }.joined(separator: " ")
            print("[\(expected.isEmpty ? "-" : expected)] got [\(got)] \(label.source ?? ""): \(label.text)")
        }
    }
}

/// In-process throughput on one core: the dev texts, repeated to `count` messages, once
/// for the verdict alone (`services`) and once with evidence (`detect`).
func bench(count: Int) {
    let texts = (load(root + "/data/detector/dev.jsonl") + load(root + "/data/detector/dev_negatives.jsonl")).map(\.text)
    let detector = ServiceDetector.shared
    _ = detector.detect("warm up the model")
    for (label, run) in [("services (verdict only)", { (text: String) in detector.services(text).count }),
                         ("detect (with evidence)", { (text: String) in detector.detect(text).services.count })] {
        var flagged = 0
        let start = Date()
        for i in 0..<count { flagged += run(texts[i % texts.count]) }
        let elapsed = Date().timeIntervalSince(start)
        print("\(label): \(count) messages in \(String(format: "%.3f", elapsed)) s = \(Int(Double(count) / elapsed)) messages/s on one core (\(flagged) flags)")
    }
    // Understanding: services and action, as `detect --batch` and the chat read each
    // message; timed one message at a time for the latency a sender waits.
    let understanding = Understanding.shared
    _ = understanding.read("warm up the model", explaining: false)
    var nanoseconds: [UInt64] = []
    nanoseconds.reserveCapacity(count)
    var actions = 0
    let start = Date()
    for i in 0..<count {
        let before = DispatchTime.now().uptimeNanoseconds
        actions += understanding.read(texts[i % texts.count], explaining: false).action == .chat ? 0 : 1
        nanoseconds.append(DispatchTime.now().uptimeNanoseconds - before)
    }
    let elapsed = Date().timeIntervalSince(start)
    nanoseconds.sort()
    func percentile(_ p: Double) -> String { String(format: "%.3f ms", Double(nanoseconds[min(count - 1, Int(Double(count) * p))]) / 1e6) }
    print("understanding (services + action): \(count) messages in \(String(format: "%.3f", elapsed)) s = \(Int(Double(count) / elapsed)) messages/s on one core (\(actions) actions)")
    print("understanding latency per message: p50 \(percentile(0.5)), p95 \(percentile(0.95)), p99 \(percentile(0.99)), max \(percentile(1))")
    let sizes = ["Sources/LumeKit/Detection/DetectorWeights.swift", "Sources/LumeKit/Understanding/ActionWeights.swift"].map { path in
        ((try? FileManager.default.attributesOfItem(atPath: root + "/" + path)[.size]) as? Int) ?? 0
    }
    print("models compiled in (generated source, base64): service detector \(sizes[0] / 1024) KB, action model \(sizes[1] / 1024) KB")
}

// MARK: The action model

/// One training line for the action model.
struct FamilyExample {
    var text: String
    var family: ActionFamily
    /// How much the example counts: lines written for lume-tui stand for the phrasings the
    /// voice-assistant corpora lack, and count several times so a handful can move the model.
    var weight: Float = 1
}

/// The family of a detector data line: its source intent's, or none for the lines that
/// need no service. Lines merged from several intents take the first known one.
///
/// CLINC's calendar_update means "add, change or remove a calendar entry" in one class;
/// learned as one family it swallowed plain event requests ("lunch with Bob at 1"). Its
/// lines are split by their own words: a cancel is a removal, a change an update, the
/// rest a new event (all three are accepted answers for the class).
func family(of line: LabelledMessage) -> ActionFamily? {
    let sources = (line.source ?? "").split(separator: "|").map(String.init)
    if sources.contains("clinc:calendar_update") {
        let words = Set(ServiceDetector.trainingWords(line.text))
        if !words.isDisjoint(with: ["cancel", "delete", "remove", "clear", "erase", "drop"]) { return .calRemove }
        if !words.isDisjoint(with: ["move", "change", "reschedule", "push", "postpone", "shift", "rename", "update", "edit", "modify", "delay"]) {
            return .calUpdate
        }
        return .calSet
    }
    // CLINC's meeting_schedule is questions about meetings ("what meetings are scheduled
    // today"); the data's table files it with scheduling, lume-tui answers it with the agenda.
    if sources.contains("clinc:meeting_schedule") { return .calQuery }
    if let known = sources.lazy.compactMap({ ActionFamily.of(sourceIntent: $0) }).first { return known }
    return line.expectedServices.isEmpty ? ActionFamily.none : nil
}

/// SGD dialogues (data/understanding/README.md): one in five, by position, is held out
/// for measuring and never trained on.
func sgdDialogues(heldOut: Bool) -> [[String: Any]] {
    let path = root + "/data/understanding/sgd_calendar_dialogues.jsonl"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    let dialogues = text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    return dialogues.enumerated().filter { ($0.offset % 5 == 0) == heldOut }.map(\.element)
}

/// The user turns of SGD dialogues that open a calendar request (the first turn of each
/// intent) or close one ("NONE": thanks, that's all), as single messages. Later turns of
/// the same intent ("yes, please") mean something only in context.
func sgdExamples(_ dialogues: [[String: Any]]) -> [FamilyExample] {
    var examples: [FamilyExample] = []
    for dialogue in dialogues {
        var previous: String?
        for turn in dialogue["turns"] as? [[String: Any]] ?? [] where turn["speaker"] as? String == "user" {
            guard let intent = turn["intent"] as? String, let text = turn["text"] as? String else { continue }
            defer { previous = intent }
            guard intent != previous else { continue }
            if intent == "NONE" {
                examples.append(FamilyExample(text: text, family: .none))
            } else if let family = ActionFamily.of(sourceIntent: intent) {
                examples.append(FamilyExample(text: text, family: family))
            }
        }
    }
    return examples
}

func authoredFamilyExamples() -> [FamilyExample] {
    let path = root + "/data/understanding/authored.jsonl"
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
    return text.split(separator: "\n").compactMap { line in
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let message = object["text"] as? String, let name = object["family"] as? String,
              let family = ActionFamily(rawValue: name) else { return nil }
        return FamilyExample(text: message, family: family, weight: 4)
    }
}

/// Softmax regression: AdaGrad, L2, a fixed number of passes; classes weighted so a
/// small family is not drowned by `none`.
struct SoftmaxTrainer {
    var epochs = 30
    var learningRate: Float = 0.3
    var l2: Float = 1e-4

    func train(_ examples: [(features: [Int], label: Int, weight: Float)], featureCount: Int, classCount: Int, seed: UInt64) -> [Float] {
        var weights = [Float](repeating: 0, count: featureCount * classCount)
        var squares = [Float](repeating: 1e-6, count: featureCount * classCount)
        var counts = [Int](repeating: 0, count: classCount)
        for example in examples { counts[example.label] += 1 }
        let largest = Float(counts.max() ?? 1)
        let classWeight = counts.map { $0 == 0 ? 1 : min(2, (largest / Float($0)).squareRoot()) }
        var order = Array(examples.indices)
        var random = SeededRandom(state: seed)
        var logits = [Float](repeating: 0, count: classCount)
        for _ in 0..<epochs {
            order.shuffle(using: &random)
            for index in order {
                let example = examples[index]
                for c in 0..<classCount { logits[c] = 0 }
                for f in example.features {
                    let row = f * classCount
                    for c in 0..<classCount { logits[c] += weights[row + c] }
                }
                let largestLogit = logits.max()!
                var total: Float = 0
                for c in 0..<classCount { logits[c] = expf(logits[c] - largestLogit); total += logits[c] }
                let scale = classWeight[example.label] * example.weight
                for c in 0..<classCount {
                    let gradient = scale * (logits[c] / total - (c == example.label ? 1 : 0))
                    for f in example.features {
                        let slot = f * classCount + c
                        let g = gradient + l2 * weights[slot]
                        squares[slot] += g * g
                        weights[slot] -= learningRate * g / squares[slot].squareRoot()
                    }
                }
            }
        }
        return weights
    }
}

func trainActions(vocabulary: Set<String>) {
    let data = root + "/data/detector"
    let lines = load(data + "/train.jsonl") + load(data + "/authored.jsonl")
    var examples = lines.compactMap { line in family(of: line).map { FamilyExample(text: line.text, family: $0) } }
    examples += sgdExamples(sgdDialogues(heldOut: false))
    examples += authoredFamilyExamples()
    let families = ActionFamily.allCases
    var featureCounts: [String: Int] = [:]
    let named = examples.map { example -> [String] in
        // Sorted: a set's order changes from run to run, and with it the sums, so the weights would too.
        let features = Set(ServiceDetector.trainingFeatures(example.text, isKnown: vocabulary.contains)).sorted()
        for feature in features { featureCounts[feature, default: 0] += 1 }
        return features
    }
    let names = featureCounts.filter { $0.value >= 2 || $0.key.hasPrefix("g:") || $0.key == "bias" }.keys.sorted()
    let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
    let encoded = zip(examples, named).map { example, features in
        (features: features.compactMap { index[$0] }, label: families.firstIndex(of: example.family)!, weight: example.weight)
    }
    let weights = SoftmaxTrainer().train(encoded, featureCount: names.count, classCount: families.count, seed: 11)
    var features: [(name: String, weights: [Float])] = []
    for (i, name) in names.enumerated() {
        let row = Array(weights[(i * families.count)..<((i + 1) * families.count)])
        if row.allSatisfy({ abs($0) < 0.01 }) { continue }
        features.append((name, row))
    }
    let base64 = Understanding.encodeActionModel(features: features).base64EncodedString()
    let wrapped = stride(from: 0, to: base64.count, by: 120).map { offset -> String in
        let start = base64.index(base64.startIndex, offsetBy: offset)
        return String(base64[start..<(base64.index(start, offsetBy: 120, limitedBy: base64.endIndex) ?? base64.endIndex)])
    }
    let counts = Dictionary(grouping: examples, by: \.family).mapValues(\.count)
    let source = """
        // Generated by `swift run -c release lume-detector-lab train` from data/detector/train.jsonl,
        // data/detector/authored.jsonl, data/understanding/authored.jsonl and the training part of
        // data/understanding/sgd_calendar_dialogues.jsonl; do not edit. \(features.count) features,
        // \(examples.count) examples (\(families.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: ", "))).
        enum ActionWeights {
            /// `TrainingInputs.digest` of `TrainingInputs.actionModel` when trained.
            static let trainedOn = "\(trainingDigest(TrainingInputs.actionModel))"
            static let base64 = \"\"\"
        \(wrapped.joined(separator: "\n"))
        \"\"\"
        }

        """
    let output = root + "/Sources/LumeKit/Understanding/ActionWeights.swift"
    do { try source.write(toFile: output, atomically: true, encoding: .utf8) } catch { fail("cannot write \(output)") }
    print("wrote \(output) (\(source.utf8.count) bytes): \(features.count) features from \(examples.count) examples")
}

// MARK: Scoring understanding

/// dev.jsonl of data/understanding: the action family of each message, scored as the
/// data's README says (a family's accepted alternatives count; macro over the families).
/// `LUME_FAMILY_THRESHOLD` overrides the threshold, for trying values by hand.
let understanding = ProcessInfo.processInfo.environment["LUME_FAMILY_THRESHOLD"].flatMap(Float.init).map { Understanding(familyThreshold: $0) } ?? .shared

func scoreActions(_ path: String, showErrors: Bool) {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    let accept: [String: Set<String>] = [
        "cal_query": ["cal_query", "cal_free"], "cal_free": ["cal_free", "cal_query"], "cal_set": ["cal_set"],
        "cal_update": ["cal_update", "cal_set", "cal_remove"], "cal_remove": ["cal_remove"], "mail_query": ["mail_query"],
        "mail_send": ["mail_send"], "contact_query": ["contact_query"], "contact_add": ["contact_add"], "list_query": ["list_query"],
        "list_add": ["list_add", "list_remove"], "list_remove": ["list_remove"], "none": ["none"],
    ]
    var totals: [String: (count: Int, right: Int)] = [:]
    // The same with CLINC's meeting_schedule read as what it is, questions about meetings.
    var corrected: [String: (count: Int, right: Int)] = [:]
    let start = Date()
    var read = 0
    for line in text.split(separator: "\n") {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let message = object["text"] as? String, let gold = object["family"] as? String else { continue }
        let reading = understanding.read(message)
        read += 1
        let right = accept[gold]?.contains(reading.action.family.rawValue) ?? false
        totals[gold, default: (0, 0)].count += 1
        if right { totals[gold, default: (0, 0)].right += 1 }
        let fixedGold = object["source"] as? String == "clinc:meeting_schedule" ? "cal_query" : gold
        corrected[fixedGold, default: (0, 0)].count += 1
        if accept[fixedGold]?.contains(reading.action.family.rawValue) ?? false { corrected[fixedGold, default: (0, 0)].right += 1 }
        if showErrors && !right { print("  [\(gold)] got \(reading.action.rawValue) \(reading.services.map(\.rawValue)): \(message)") }
    }
    let elapsed = Date().timeIntervalSince(start)
    for (family, total) in totals.sorted(by: { $0.key < $1.key }) {
        print("\(family.padding(toLength: 14, withPad: " ", startingAt: 0)) n=\(total.count)  \(String(format: "%.3f", Double(total.right) / Double(total.count)))")
    }
    func macro(_ totals: [String: (count: Int, right: Int)]) -> Double {
        let positive = totals.filter { $0.key != "none" }
        return positive.values.map { Double($0.right) / Double($0.count) }.reduce(0, +) / Double(positive.count)
    }
    let none = totals["none"].map { Double($0.right) / Double($0.count) } ?? .nan
    print("macro over families \(String(format: "%.3f", macro(totals))); none left alone \(String(format: "%.3f", none)); \(Int(Double(read) / elapsed)) messages/s")
    print("with clinc:meeting_schedule as questions about meetings (cal_query): macro \(String(format: "%.3f", macro(corrected)))")
}

/// The held-out fifth of the SGD dialogues: the family of every user turn that carries a
/// calendar intent (or NONE), read in its conversation: the context is what lume-tui made
/// of the turns before, and what the system turn asked (REQUEST) or offered.
///
/// SGD keeps a frame's intent until it changes, so a turn that talks to another service
/// ("can you get me a cab there?") or closes the conversation still carries the calendar's
/// last intent: some of the misses are that, not misreadings.
func scoreSGD(showErrors: Bool, withContext: Bool) {
    var total = 0, right = 0
    var perFamily: [ActionFamily: (Int, Int)] = [:]
    for dialogue in sgdDialogues(heldOut: true) {
        var context = ConversationContext.none
        for turn in dialogue["turns"] as? [[String: Any]] ?? [] {
            if turn["speaker"] as? String == "system" {
                let acts = (turn["actions"] as? [[String: Any]] ?? []).compactMap { $0["act"] as? String }
                context.askedForDetail = acts.contains("REQUEST")
                context.awaitingAnswer = acts.contains { ["OFFER", "CONFIRM", "OFFER_INTENT"].contains($0) }
                let offeredIntent = (turn["actions"] as? [[String: Any]] ?? []).first { $0["act"] as? String == "OFFER_INTENT" }
                context.offeredAction = (offeredIntent?["values"] as? [String])?.first.flatMap { ActionFamily.of(sourceIntent: $0) }.map(firstAction)
                continue
            }
            guard let text = turn["text"] as? String else { continue }
            let reading = withContext ? understanding.read(text, context: context) : understanding.read(text)
            context = context.after(text, reading)
            guard let intent = turn["intent"] as? String else { continue }
            let gold = intent == "NONE" ? ActionFamily.none : ActionFamily.of(sourceIntent: intent)!
            let got = reading.action.family
            let ok = got == gold || (gold == .calQuery && got == .calFree) || (gold == .calFree && got == .calQuery)
            total += 1
            if ok { right += 1 }
            perFamily[gold, default: (0, 0)].0 += 1
            if ok { perFamily[gold, default: (0, 0)].1 += 1 }
            if showErrors && !ok { print("  [\(gold.rawValue)] got \(reading.action.rawValue) (\(reading.followUp.rawValue)): \(text)") }
        }
    }
    for (family, counts) in perFamily.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
        print("\(family.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) n=\(counts.0)  \(String(format: "%.3f", Double(counts.1) / Double(counts.0)))")
    }
    print("SGD held-out user turns\(withContext ? " in context" : " alone"): \(right)/\(total) = \(String(format: "%.3f", Double(right) / Double(total)))")
}

/// The plainest action of a family (what an offer of that family would do).
func firstAction(_ family: ActionFamily) -> Action {
    Action.allCases.first { $0.family == family } ?? .chat
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first {
case "train": train()
case "score":
    let files = arguments.dropFirst().filter { !$0.hasPrefix("--") }
    score(files.isEmpty ? [root + "/data/detector/dev.jsonl", root + "/data/detector/dev_negatives.jsonl"] : Array(files),
          detectorOnly: arguments.contains("--detector"))
case "probe":
    // One message per stdin line: the verdict and its evidence, for looking at by eye.
    while let line = readLine() {
        let detection = ServiceDetector.shared.detect(line)
        let flags = detection.services.map { "\($0.rawValue) \(detection.evidence[$0] ?? [])" }.joined(separator: "; ")
        print("\(flags.isEmpty ? "-" : flags)  ⟵  \(line)")
    }
case "lines":
    // N messages, one per line, cycling through the data: input for timing `detect --batch`.
    let texts = ["dev.jsonl", "dev_negatives.jsonl", "train.jsonl"].flatMap { load(root + "/data/detector/" + $0) }.map(\.text)
    let count = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
    var output = ""
    for index in 0..<count { output += texts[index % texts.count].replacingOccurrences(of: "\n", with: " ") + "\n" }
    FileHandle.standardOutput.write(Data(output.utf8))
case "bench": bench(count: arguments.count > 1 ? Int(arguments[1]) ?? 200_000 : 200_000)
case "actions": scoreActions(arguments.count > 1 && !arguments[1].hasPrefix("-") ? arguments[1] : root + "/data/understanding/dev.jsonl",
                             showErrors: arguments.contains("--errors"))
case "sgd": scoreSGD(showErrors: arguments.contains("--errors"), withContext: !arguments.contains("--alone"))
case "errors": errors(arguments.count > 1 ? arguments[1] : root + "/data/detector/dev.jsonl")
default: fail("usage: lume-detector-lab train | score [FILE...] | errors [FILE] | actions [FILE] [--errors] | sgd [--errors] | probe | bench [COUNT] | lines [COUNT]")
}
