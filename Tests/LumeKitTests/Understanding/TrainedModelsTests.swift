import Foundation
import Testing
@testable import LumeKit

/// The shipped models match the data files in the repository: a change to the training
/// data without retraining fails here, naming the command that retrains.
@Suite struct TrainedModelsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func digest(_ paths: [String]) throws -> String {
        try TrainingInputs.digest(paths.map { path in
            (path, [UInt8](try Data(contentsOf: root.appendingPathComponent(path))))
        })
    }

    static let retrain = "the training data changed since the model was trained: run `swift run -c release lume-detector-lab train` and commit the weights"

    @Test func theServiceDetectorWasTrainedOnTheDataInTheRepository() throws {
        #expect(try Self.digest(TrainingInputs.serviceDetector) == TrainingInputs.serviceDetectorDigest, "\(Self.retrain)")
    }

    @Test func theActionModelWasTrainedOnTheDataInTheRepository() throws {
        #expect(try Self.digest(TrainingInputs.actionModel) == TrainingInputs.actionModelDigest, "\(Self.retrain)")
    }

    /// The digest sees a one-byte change, and which file it is in.
    @Test func anyChangeToTheDataChangesTheDigest() {
        let original = TrainingInputs.digest([("a.jsonl", Array("{\"text\":\"x\"}\n".utf8)), ("b.jsonl", [])])
        #expect(TrainingInputs.digest([("a.jsonl", Array("{\"text\":\"y\"}\n".utf8)), ("b.jsonl", [])]) != original)
        // The same bytes moved to the other file are a different training set.
        #expect(TrainingInputs.digest([("a.jsonl", []), ("b.jsonl", Array("{\"text\":\"x\"}\n".utf8))]) != original)
    }
}
