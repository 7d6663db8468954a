import Foundation

/// The files each shipped model is trained from, and a digest of their contents that the
/// training tool writes into the generated weights. A test recomputes the digest from the
/// repository, so a change to the data without retraining fails CI instead of shipping a
/// model that no longer matches its own data files.
public enum TrainingInputs {
    /// Paths from the repository root.
    public static let serviceDetector = ["data/detector/train.jsonl", "data/detector/authored.jsonl"]
    public static let actionModel = serviceDetector + ["data/understanding/authored.jsonl", "data/understanding/sgd_calendar_dialogues.jsonl"]

    /// The digest the models record: SHA-256 over each file's path and bytes, in order.
    public static func digest(_ files: [(path: String, bytes: [UInt8])]) -> String {
        var joined: [UInt8] = []
        for file in files {
            joined += Array(file.path.utf8) + [0] + Array(String(file.bytes.count).utf8) + [0] + file.bytes
        }
        return SHA256Digest.hash(joined).map { String(format: "%02x", $0) }.joined()
    }

    /// What the shipped models were trained on (written by `lume-detector-lab train`).
    public static var serviceDetectorDigest: String { DetectorWeights.trainedOn }
    public static var actionModelDigest: String { ActionWeights.trainedOn }
}
