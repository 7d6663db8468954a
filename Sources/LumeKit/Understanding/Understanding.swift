import Foundation

/// What understanding made of a message: the services it needs, what it asks for, and
/// how sure each step was.
public struct Reading: Equatable, Sendable {
    public var services: [Service]
    public var action: Action
    /// The learned model's belief in each family, in `ActionModel.families` order.
    var probabilities: [Float] = []
    /// The learned model's belief in each family (for `detect --explain`).
    public var familyScores: [ActionFamily: Double] {
        Dictionary(uniqueKeysWithValues: zip(ActionModel.families, probabilities).map { ($0, Double($1)) })
    }
    /// The words behind each flagged service (the detector's evidence).
    public var evidence: [Service: [String]]
    /// How sure the detector is of each service it flagged (0…1).
    public var confidence: [Service: Double] = [:]
    /// How the message follows the conversation before it.
    public var followUp: FollowUp = .new
    /// The text the details are read from: the message, or (for an answer to a question
    /// or a changed detail) the message followed by the request it completes.
    public var detailText: String = ""
    /// For a yes or a no to what the assistant offered: which.
    public var agrees: Bool?

    public static let chat = Reading(services: [], action: .chat, evidence: [:])
}

/// The one understanding step, used by `detect`, the permission flow and the built-in
/// assistant, so they can never disagree about a message.
///
/// 1. Questions about lume-tui and greetings need nothing.
/// 2. The service detector decides which services the message needs (a learned model
///    per service plus rules for negation, code and several requests in one message).
/// 3. The action model (a softmax over action families, learned from the same public
///    corpora) picks the family among those the flagged services allow; with no service
///    flagged the message is chat, unless it clearly asks about a contact (contacts are a
///    base permission, not one of the four services).
/// 4. Words settle the exact action within the family ("reply" in a mail request, "next"
///    in a calendar question, "done" in a list removal).
///
/// The services always include the action's: an action implies its service, and a message
/// with no service flagged never reaches Google.
public struct Understanding: Sendable {
    public static let shared = Understanding()

    /// With no service flagged, a family needs at least this probability, and a word that
    /// names what it works on ("tasks", "calendar", "contact"), to be trusted (its service is
    /// then asked for): terse requests the detector is unsure of ("what tasks are still
    /// open?") are still read, while a model sure of "delete" alone is not believed about
    /// "delete my spam emails".
    public let familyThreshold: Float

    public init(familyThreshold: Float = 0.75) {
        self.familyThreshold = familyThreshold
    }

    /// Reads a message in its conversation: a follow-up ("at three", "what about Friday?",
    /// "yes, send it") takes the action of the request it follows, and its details are
    /// read from the two together.
    public func read(_ message: String, context: ConversationContext, explaining: Bool = true) -> Reading {
        var reading = read(message, explaining: explaining)
        let text = DetectorText(message)
        let words = text.words.filter { !$0.negated }.map(\.text)
        reading.followUp = FollowUps.kind(words, reading: reading, context: context,
                                          technical: DetectorFeatures.developerContext(text) >= 3)
        switch reading.followUp {
        case .new:
            break
        case .closing:
            reading.action = .chat
            reading.services = []
        case .acknowledgement:
            reading.action = context.action ?? reading.action
            reading.services = []
        case .answer:
            reading.agrees = !FollowUps.isNegative(words)
            let action = (context.offeredAction.flatMap { FollowUps.isNegative(words) ? nil : $0 }) ?? context.action ?? reading.action
            reading.action = action
            reading.services = action.service.map { [$0] } ?? []
            reading.detailText = context.request ?? message
        case .sameRequest:
            let action = context.action ?? reading.action
            reading.action = action
            if let service = action.service, !reading.services.contains(service) {
                reading.services = Service.allCases.filter { reading.services.contains($0) || $0 == service }
            }
            reading.detailText = message + " " + (context.request ?? "")
        }
        return reading
    }

    /// Reads one message on its own. `explaining` adds the evidence behind each service
    /// (for `detect --explain`); without it the verdict costs one pass over the words.
    public func read(_ message: String, explaining: Bool = true) -> Reading {
        var reading = readAlone(message, explaining: explaining)
        reading.detailText = message
        return reading
    }

    private func readAlone(_ message: String, explaining: Bool) -> Reading {
        let text = DetectorText(message)
        guard text.words.contains(where: { !$0.negated }) else { return .chat }
        if let smallTalk = Self.smallTalk(text) {
            return Reading(services: [], action: smallTalk, evidence: [:])
        }
        if ActionCues.refusal(text) != nil {
            return Reading(services: [], action: .unsupported, evidence: [:])
        }
        let detection = ServiceDetector.shared.detect(text, explaining: explaining)
        let probabilities = ActionModel.shared.probabilities(text)
        var family = family(services: Set(detection.services), text: text, probabilities: probabilities)
        if family == .none, detection.services.isEmpty, let idiom = ActionCues.idiom(text, message: message) { family = idiom }
        let action = ActionCues.action(in: family, text: text, services: Set(detection.services))
        var services = Set(detection.services)
        if let service = action.service { services.insert(service) }
        return Reading(services: Service.allCases.filter(services.contains), action: action, probabilities: probabilities,
                       evidence: detection.evidence, confidence: detection.confidence)
    }

    /// The family among those `services` allow, by the model's probabilities; with no
    /// service flagged, the model's own choice only when it is sure.
    func family(services: Set<Service>, text: DetectorText, probabilities: [Float]) -> ActionFamily {
        let families = ActionModel.families
        if services.isEmpty {
            // A programmer's question ("sort a list of tuples") is never taken for a request,
            // unless it names someone's address ("email carol@example.org saying …").
            guard DetectorFeatures.developerContext(text) < 3 || text.hasEmailAddress else { return .none }
            let best = probabilities.indices.max { probabilities[$0] < probabilities[$1] }!
            let family = families[best]
            // Someone's address makes a mail family plain enough at even odds.
            if text.hasEmailAddress, family.services.contains(.email) { return probabilities[best] >= 0.5 ? family : .none }
            return ActionCues.names(family, in: text) && probabilities[best] >= familyThreshold ? family : .none
        }
        // When the message names the place ("on my calendar", "to my list"), families of
        // other services do not compete.
        let named = services.intersection(ActionCues.namedServices(text))
        let candidates = named.isEmpty ? services : named
        var best: (family: ActionFamily, probability: Float)?
        for (index, family) in families.enumerated() where family != .none {
            let allowed = family.services.isEmpty || !family.services.isDisjoint(with: candidates)
            if allowed, probabilities[index] > (best?.probability ?? -1) { best = (family, probabilities[index]) }
        }
        return best?.family ?? .none
    }

    /// Greetings, thanks and questions about lume-tui itself.
    static func smallTalk(_ text: DetectorText) -> Action? {
        if text.words.count <= 5 {
            let words = text.words.map(\.text)
            if greetings.contains(words) { return .greeting }
            if helpRequests.contains(words) { return .help }
        }
        return DetectorRules.isAboutAssistant(text.words) ? .help : nil
    }

    private static let greetings: Set<[String]> = [
        ["hi"], ["hello"], ["hey"], ["yo"], ["hiya"], ["good", "morning"], ["good", "afternoon"], ["good", "evening"], ["thanks"],
        ["thank", "you"], ["thanks", "a", "lot"], ["cheers"], ["hello", "there"], ["hi", "there"], ["hey", "there"], ["ok", "thanks"],
        ["great", "thanks"],
    ]
    private static let helpRequests: Set<[String]> = [
        ["help"], ["help", "me"], ["what", "can", "you", "do"], ["what", "can", "i", "ask"], ["what", "can", "i", "say"], ["commands"],
        ["how", "do", "i", "use", "this"], ["how", "do", "i", "use", "you"],
    ]
}

extension Understanding {
    /// The compact form of a trained action model (see `ActionModel`), for the training tool.
    public static func encodeActionModel(features: [(name: String, weights: [Float])]) -> Data {
        ActionModel.encode(features: features)
    }
}
