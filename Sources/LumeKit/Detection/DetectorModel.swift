import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The learned part of the detector: one logistic regression per service over hashed
/// features, loaded once from the weights compiled into the binary (DetectorWeights.swift).
///
/// Why compiled in: the installed binary then finds its model wherever it runs, with no
/// resource bundle to lose and nothing to download.
final class DetectorModel: Sendable {
    static let shared: DetectorModel = {
        guard let data = Data(base64Encoded: DetectorWeights.base64, options: .ignoreUnknownCharacters),
              let model = DetectorModel(encoded: data)
        else { fatalError("DetectorWeights.swift does not hold a valid model; run lume-detector-lab train") }
        return model
    }()

    /// Per feature key, a weight for each service (email, calendar, tasks, keep).
    private let weights: WeightTable
    /// Probability at or above which a service is flagged.
    let thresholds: SIMD4<Float>
    /// The hashes of the words the model has a unigram weight for.
    let vocabulary: [UInt64]

    private static let magic: [UInt8] = Array("LDW1".utf8)

    /// Reads the compact form `encode` writes:
    /// "LDW1", 4 thresholds (Float32), N, N × (key UInt64, 4 weights Float32), M, M word
    /// hashes (UInt64); little-endian. Binary because parsing 8,000 lines of text cost
    /// 50 ms at every start.
    init?(encoded data: Data) {
        var reader = ByteReader(bytes: Array(data))
        guard reader.take(4) == Self.magic else { return nil }
        guard let thresholds = reader.vector(), let count = reader.uint32() else { return nil }
        var weights: [UInt64: SIMD4<Float>] = [:]
        weights.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let key = reader.uint64(), let vector = reader.vector() else { return nil }
            weights[key] = vector
        }
        guard let wordCount = reader.uint32() else { return nil }
        var vocabulary: [UInt64] = []
        vocabulary.reserveCapacity(Int(wordCount))
        for _ in 0..<wordCount {
            guard let word = reader.uint64() else { return nil }
            vocabulary.append(word)
        }
        self.weights = WeightTable(weights)
        self.thresholds = thresholds
        self.vocabulary = vocabulary
    }

    /// The compact form of a trained model, from its features' names ("w:list",
    /// "b:shopping list", "g:time", "bias") and weights.
    static func encode(thresholds: SIMD4<Float>, features: [(name: String, weights: SIMD4<Float>)]) -> Data {
        var bytes = magic
        func append(_ value: UInt64, width: Int) {
            for shift in stride(from: 0, to: width * 8, by: 8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
        }
        func append(_ vector: SIMD4<Float>) {
            for index in 0..<4 { append(UInt64(vector[index].bitPattern), width: 4) }
        }
        append(thresholds)
        let keyed = features.compactMap { feature in FeatureKey.named(feature.name).map { ($0, feature.weights) } }
        append(UInt64(keyed.count), width: 4)
        for (key, weights) in keyed {
            append(key, width: 8)
            append(weights)
        }
        let words = features.filter { $0.name.hasPrefix("w:") }.map { FeatureKey.word(String($0.name.dropFirst(2))) }
        append(UInt64(words.count), width: 4)
        for word in words { append(word, width: 8) }
        return Data(bytes)
    }

    func weight(_ hash: UInt64) -> SIMD4<Float>? { weights.lookup(hash) }

    /// The probability of each service given summed weights.
    func probabilities(_ logits: SIMD4<Float>) -> SIMD4<Float> {
        SIMD4<Float>(sigmoid(logits[0]), sigmoid(logits[1]), sigmoid(logits[2]), sigmoid(logits[3]))
    }

    private func sigmoid(_ x: Float) -> Float { 1 / (1 + (-x).exp()) }
}

private extension Float {
    func exp() -> Float {
        #if canImport(Glibc)
        return Glibc.expf(self)
        #else
        return Foundation.exp(self)
        #endif
    }
}

/// Feature keys to weights.
typealias WeightTable = HashTable<SIMD4<Float>>

/// An open-addressing table keyed by 64-bit hashes that are already well mixed.
///
/// Why not a Dictionary: the slot is simply the key's low bits, where Swift's Dictionary
/// would hash the hash again on every lookup.
struct HashTable<Value: Sendable>: Sendable {
    private let keys: [UInt64]
    private let values: [Value?]
    private let mask: Int

    init(_ entries: [UInt64: Value]) {
        var capacity = 16
        while capacity < entries.count * 2 { capacity *= 2 }
        var keys = [UInt64](repeating: 0, count: capacity)
        var values = [Value?](repeating: nil, count: capacity)
        let mask = capacity - 1
        for (key, value) in entries where key != 0 {
            var slot = Int(truncatingIfNeeded: key) & mask
            while keys[slot] != 0 { slot = (slot + 1) & mask }
            keys[slot] = key
            values[slot] = value
        }
        self.keys = keys
        self.values = values
        self.mask = mask
    }

    func lookup(_ key: UInt64) -> Value? {
        var slot = Int(truncatingIfNeeded: key) & mask
        while true {
            let found = keys[slot]
            if found == key { return values[slot] }
            if found == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }
}

/// Reads little-endian values from bytes, failing softly at the end.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func take(_ count: Int) -> [UInt8]? {
        guard offset + count <= bytes.count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    mutating func uint64() -> UInt64? { integer(8) }

    mutating func uint32() -> UInt32? { integer(4).map { UInt32($0) } }

    mutating func vector() -> SIMD4<Float>? {
        guard let a = integer(4), let b = integer(4), let c = integer(4), let d = integer(4) else { return nil }
        return SIMD4<Float>(Float(bitPattern: UInt32(a)), Float(bitPattern: UInt32(b)), Float(bitPattern: UInt32(c)), Float(bitPattern: UInt32(d)))
    }

    private mutating func integer(_ width: Int) -> UInt64? {
        guard offset + width <= bytes.count else { return nil }
        var value: UInt64 = 0
        for index in 0..<width { value |= UInt64(bytes[offset + index]) << UInt64(index * 8) }
        offset += width
        return value
    }
}
