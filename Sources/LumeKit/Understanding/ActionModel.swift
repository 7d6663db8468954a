import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The learned part of understanding: a softmax (multinomial logistic) regression over the
/// same hashed features as the service detector, scoring each `ActionFamily`. Loaded once
/// from the weights compiled into the binary (ActionWeights.swift), made by
/// `lume-detector-lab train`.
final class ActionModel: Sendable {
    static let shared: ActionModel = {
        guard let data = Data(base64Encoded: ActionWeights.base64, options: .ignoreUnknownCharacters),
              let model = ActionModel(encoded: data)
        else { fatalError("ActionWeights.swift does not hold a valid model; run lume-detector-lab train") }
        return model
    }()

    static let families = ActionFamily.allCases
    static var classCount: Int { families.count }

    /// Feature key → the first of its `classCount` weights in `weights`.
    private let rows: HashTable<Int32>
    private let weights: [Float]

    private static let magic: [UInt8] = Array("LAM1".utf8)

    /// "LAM1", C (UInt32), the C family names (UInt8 length + UTF-8), N (UInt32), then N ×
    /// (key UInt64, C weights Float32); little-endian. The names are checked against
    /// `ActionFamily`, so a model trained for other families is refused, not misread.
    init?(encoded data: Data) {
        let bytes = Array(data)
        var offset = 0
        func integer(_ width: Int) -> UInt64? {
            guard offset + width <= bytes.count else { return nil }
            var value: UInt64 = 0
            for index in 0..<width { value |= UInt64(bytes[offset + index]) << UInt64(index * 8) }
            offset += width
            return value
        }
        guard bytes.count >= 4, Array(bytes[0..<4]) == Self.magic else { return nil }
        offset = 4
        guard let classes = integer(4), Int(classes) == Self.classCount else { return nil }
        for family in Self.families {
            guard let length = integer(1), offset + Int(length) <= bytes.count,
                  String(decoding: bytes[offset..<offset + Int(length)], as: UTF8.self) == family.rawValue else { return nil }
            offset += Int(length)
        }
        guard let count = integer(4) else { return nil }
        var table: [UInt64: Int32] = [:]
        table.reserveCapacity(Int(count))
        var weights: [Float] = []
        weights.reserveCapacity(Int(count) * Self.classCount)
        for row in 0..<Int(count) {
            guard let key = integer(8) else { return nil }
            table[key] = Int32(row * Self.classCount)
            for _ in 0..<Self.classCount {
                guard let bits = integer(4) else { return nil }
                weights.append(Float(bitPattern: UInt32(bits)))
            }
        }
        rows = HashTable(table)
        self.weights = weights
    }

    /// The compact form of a trained model, from feature names ("w:list", "b:^ add",
    /// "g:time", "bias") and one weight per family, in `ActionFamily.allCases` order.
    static func encode(features: [(name: String, weights: [Float])]) -> Data {
        var bytes = magic
        func append(_ value: UInt64, width: Int) {
            for shift in stride(from: 0, to: width * 8, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        append(UInt64(classCount), width: 4)
        for family in families {
            let name = Array(family.rawValue.utf8)
            append(UInt64(name.count), width: 1)
            bytes += name
        }
        let keyed = features.compactMap { feature in FeatureKey.named(feature.name).map { ($0, feature.weights) } }
        append(UInt64(keyed.count), width: 4)
        for (key, weights) in keyed {
            append(key, width: 8)
            for weight in weights { append(UInt64(weight.bitPattern), width: 4) }
        }
        return Data(bytes)
    }

    /// Each family's probability for the words of `text`.
    func probabilities(_ text: DetectorText) -> [Float] {
        var sink = FamilySink(model: self)
        DetectorFeatures.extract(text, clause: nil, into: &sink)
        return Self.softmax(sink.logits)
    }

    fileprivate func add(_ key: UInt64, to logits: inout [Float]) {
        guard let row = rows.lookup(key) else { return }
        let start = Int(row)
        for index in 0..<Self.classCount { logits[index] += weights[start + index] }
    }

    static func softmax(_ logits: [Float]) -> [Float] {
        let largest = logits.max() ?? 0
        let exponents = logits.map { expf($0 - largest) }
        let total = exponents.reduce(0, +)
        return exponents.map { $0 / total }
    }
}

/// Adds up each family's weights for the features found.
private struct FamilySink: FeatureSink {
    let model: ActionModel
    var logits = [Float](repeating: 0, count: ActionModel.classCount)

    mutating func add(_ key: UInt64, words: Range<Int>, name: @autoclosure () -> String) {
        model.add(key, to: &logits)
    }
}
