import Foundation
import Testing
@testable import LumeKit

/// The service detector on phrasings written for these tests (none of them is in the
/// training data), and on the committed dev data.
@Suite struct DetectorTests {
    let detector = ServiceDetector.shared

    func services(_ text: String) -> Set<Service> { Set(detector.detect(text).services) }

    @Test func theOriginalBackendsExample() {
        let detection = detector.detect("Send an email and create a task")
        #expect(detection.json == #"{"email":true,"calendar":false,"tasks":true,"keep":false}"#)
    }

    @Test func jsonHasTheContractsExactShape() {
        #expect(ServiceDetection.none.json == #"{"email":false,"calendar":false,"tasks":false,"keep":false}"#)
        let all = ServiceDetection(services: Service.allCases, evidence: [:], confidence: [:])
        #expect(all.json == #"{"email":true,"calendar":true,"tasks":true,"keep":true}"#)
    }

    @Test(arguments: [
        ("email Bob the agenda and add a task to book the room", [Service.email, .tasks]),
        ("mail the invoice to Priya and then put the payment on my calendar for the 30th", [.email, .calendar]),
        ("text Tom that I'll be late and add coffee filters to my shopping list", [.keep]),
        ("set up a meeting with the landlord next Monday, and create a task to collect the receipts", [.calendar, .tasks]),
    ])
    func messagesNeedingSeveralServices(text: String, expected: [Service]) {
        // A list may live in Keep or in Tasks (the data accepts either or both), so a
        // shopping list may flag Tasks as well.
        #expect(services(text).subtracting([.tasks]) == Set(expected).subtracting([.tasks]), "\(text)")
        #expect(Set(expected).isSubset(of: services(text)), "\(text)")
    }

    @Test(arguments: [
        ("don't email anyone, just add it to my tasks", [Service.tasks], [Service.email]),
        ("no need to send an email, just put the dentist on my calendar friday", [.calendar], [.email]),
        ("do not schedule anything, just jot down the idea about the garden", [.keep], [.calendar]),
        ("no email please, add it to my to-do list instead", [.tasks], [.email]),
        ("I don't have any meetings tomorrow, do I?", [.calendar], []),
    ])
    func negatedRequestsDoNotCount(text: String, needed: [Service], negated: [Service]) {
        let found = services(text)
        #expect(Set(needed).isSubset(of: found), "\(text): \(found)")
        #expect(found.isDisjoint(with: negated), "\(text): \(found)")
        #expect(!found.contains(.calendar) || needed.contains(.calendar), "\(text): \(found)")
        #expect(!found.contains(.email) || needed.contains(.email), "\(text): \(found)")
    }

    @Test(arguments: [
        "am I free Thursday afternoon?",
        "am i busy on tuesday at noon",
        "is my morning open tomorrow",
        "when am I available next week for a call with Jin",
        "do I have any appointments on the 12th",
    ])
    func availabilityQuestionsNeedTheCalendar(text: String) {
        #expect(services(text) == [.calendar], "\(text)")
    }

    @Test(arguments: [
        "jot this down",
        "jot down that the spare key is under the blue pot",
        "add eggs to my shopping list",
        "put dishwasher tablets on the grocery list",
        "take a note: Marco prefers window seats",
    ])
    func keepPhrasing(text: String) {
        #expect(services(text).contains(.keep), "\(text)")
        #expect(!services(text).contains(.email) && !services(text).contains(.calendar), "\(text)")
    }

    @Test(arguments: [
        "what can you do?",
        "who made you",
        "do you support Google Calendar?",
        "what services can you use",
        "are you an AI or a person",
        "how do you work",
    ])
    func questionsAboutTheAssistantNeedNothing(text: String) {
        #expect(services(text).isEmpty, "\(text)")
    }

    @Test(arguments: [
        ("any new emials from the school", Service.email),
        ("whats on my calender tomorow", .calendar),
        ("shedule a call with Ana on wendesday", .calendar),
        ("add a tsak to renew my passport", .tasks),
        ("add bananas to the shoping list", .keep),
    ])
    func typosOfServiceWords(text: String, expected: Service) {
        #expect(services(text).contains(expected), "\(text)")
    }

    @Test(arguments: [
        "send a PUT request with an authorization header using curl",
        "how do I send email with python smtplib",
        "git notes show for the last commit",
        "list all running docker containers",
        "sort a list of tuples by the second element",
        "the event loop is blocked by a synchronous call",
        "cron schedule that runs every weekday at 9",
        "keep the original file when unzipping",
        "kubectl get events in the default namespace",
        "convert a date string to a timestamp in javascript",
    ])
    func developerJargonNeedsNothing(text: String) {
        #expect(services(text).isEmpty, "\(text)")
    }

    @Test func evidenceAndConfidenceExplainEachFlag() {
        let detection = detector.detect("email the slides to Noor")
        #expect(detection.services == [.email])
        #expect(detection.evidence[.email]?.isEmpty == false)
        #expect((detection.confidence[.email] ?? 0) > 0.5)
        #expect(detector.detect("what's the capital of Peru").services.isEmpty)
    }

    @Test func emptyAndOddInput() {
        #expect(services("").isEmpty)
        #expect(services("   \n\t ").isEmpty)
        #expect(services("🚀🚀🚀").isEmpty)
        #expect(services("東京の天気は？").isEmpty)
        #expect(services(String(repeating: "email ", count: 5000)).contains(.email))
    }

    @Test func detectionIsThreadSafe() async {
        let texts = ["email mom", "am I free friday", "jot this down", "list comprehension in python"]
        let expected = texts.map { Set(detector.detect($0).services) }
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (0..<200).allSatisfy { i in Set(ServiceDetector.shared.detect(texts[i % 4]).services) == expected[i % 4] }
                }
            }
            for await ok in group { #expect(ok) }
        }
    }

    // MARK: Quality on the committed dev data (data/detector/README.md)

    static let dataDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("data/detector").path

    func score(_ file: String) throws -> DetectorScore {
        let labels = try LabelledMessage.load(Self.dataDirectory + "/" + file)
        return DetectorScore(predictions: labels.map { Set(detector.detect($0.text).services) }, labels: labels)
    }

    @Test func devMacroF1MeetsTheTarget() throws {
        let score = try score("dev.jsonl")
        #expect(score.lines == 500)
        #expect(score.macroF1 >= 0.95, "\(score.report)")
    }

    @Test func developerNegativesAreNearlyAllNone() throws {
        let score = try score("dev_negatives.jsonl")
        #expect(score.lines == 1785)
        #expect(score.noneRate >= 0.98, "\(score.report)")
    }

    @Test func lenientScoringTakesTheNearestAcceptableLabel() throws {
        let line = try JSONDecoder().decode(LabelledMessage.self, from: Data("""
            {"text": "add grocery to list", "expected": {"email": false, "calendar": false, "tasks": false, "keep": true},
             "acceptable": [{"email": false, "calendar": false, "tasks": false, "keep": true},
                            {"email": false, "calendar": false, "tasks": true, "keep": false},
                            {"email": false, "calendar": false, "tasks": true, "keep": true}]}
            """.utf8))
        let both = DetectorScore(predictions: [[.tasks, .keep]], labels: [line])
        #expect(both.exactMatches == 1)
        let strict = DetectorScore(predictions: [[.tasks, .keep]], labels: [line], lenient: false)
        #expect(strict.exactMatches == 0)
        let none = DetectorScore(predictions: [[]], labels: [line])
        #expect(none.perService[.keep]?.falseNegatives == 1, "predicting nothing is a miss on the expected label")
    }
}
