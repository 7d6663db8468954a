/// What the conversation so far says about the next message: the request before it and
/// what the assistant did with it. Follow-ups ("what about tomorrow?", "at three", "yes,
/// send it", "cancel it") are read against this.
public struct ConversationContext: Equatable, Sendable {
    /// The last request the user made (its text and how it was read).
    public var request: String?
    public var action: Action?
    /// The assistant asked for a missing detail and waits for the answer.
    public var askedForDetail: Bool
    /// The assistant showed a draft or an offer and waits for a yes or a no.
    public var awaitingAnswer: Bool
    /// The assistant offered to do something else ("Shall I put it on your calendar?"):
    /// a yes means that.
    public var offeredAction: Action?

    public init(request: String? = nil, action: Action? = nil, askedForDetail: Bool = false, awaitingAnswer: Bool = false,
                offeredAction: Action? = nil) {
        self.request = request
        self.action = action
        self.askedForDetail = askedForDetail
        self.awaitingAnswer = awaitingAnswer
        self.offeredAction = offeredAction
    }

    /// The context for the message after `message`, read as `reading`, before the
    /// assistant's answer is known (the caller adds what it asked or offered).
    public func after(_ message: String, _ reading: Reading) -> ConversationContext {
        switch reading.followUp {
        case .closing: return .none
        case .answer, .acknowledgement: return ConversationContext(request: request, action: reading.action)
        case .sameRequest: return ConversationContext(request: reading.detailText, action: reading.action)
        case .new: return ConversationContext(request: message, action: reading.action)
        }
    }

    public static let none = ConversationContext()

    /// Whether there is an earlier Google request to follow up on.
    var hasRequest: Bool { action.map { $0.family != .none } ?? false }
}

/// How a message relates to the request before it.
public enum FollowUp: String, Equatable, Sendable {
    /// A request of its own.
    case new
    /// Answers the question the assistant asked, or changes a detail of the last request
    /// ("what about tomorrow?", "make it 4"): the last action, with the details combined.
    case sameRequest
    /// Yes or no to what the assistant offered or drafted.
    case answer
    /// Thanks or praise for what was just done: still about that request, nothing to do.
    case acknowledgement
    /// The conversation is over ("that's all, thanks").
    case closing
}

/// Recognises follow-ups: messages that mean something only after the one before.
enum FollowUps {
    static let affirmations: Set<String> = ["yes", "yeah", "yep", "yup", "sure", "ok", "okay", "correct", "right", "perfect", "great",
                                            "good", "fine", "absolutely", "definitely", "confirm", "please", "do", "go", "ahead", "send",
                                            "it", "that", "sounds", "works", "is", "that's", "thats", "exactly", "alright", "cool", "book", "add",
                                            "one", "y"]
    static let negations: Set<String> = ["no", "nope", "nah", "not", "don't", "cancel", "stop", "never", "mind", "n"]
    static let closings: [[String]] = [
        ["that", "is", "all"], ["that", "will", "be", "all"], ["that", "is", "it"], ["nothing", "else"], ["no", "thanks"],
        ["no", "thank", "you"], ["thanks", "that", "is", "all"], ["that", "is", "everything"], ["i", "am", "done"], ["all", "done"],
        ["that", "was", "all"], ["not", "now"], ["that", "is", "all", "i", "need"], ["i", "do", "not", "need", "anything", "else"],
        ["that", "will", "be", "it"], ["i", "am", "all", "set"], ["i", "am", "good"], ["not", "right", "now"], ["nothing", "for", "now"],
        ["that", "would", "be", "all"], ["it", "is", "all", "for", "now"], ["nothing", "more"],
    ]

    /// How `words` (the message as understanding reads it) follows the context.
    static func kind(_ words: [String], reading: Reading, context: ConversationContext, technical: Bool) -> FollowUp {
        let awaiting = context.hasRequest && (context.awaitingAnswer || context.askedForDetail)
        // A yes or a no to a waiting draft or question comes first: "no thanks" declines.
        if awaiting, isYesOrNo(words) { return .answer }
        if isClosing(words) { return .closing }
        guard context.hasRequest else { return .new }
        if isThanks(words) { return .acknowledgement }
        // Nothing is waiting and the user says no: the conversation is over.
        if !awaiting, isYesOrNo(words), isNegative(words) { return .closing }
        if isChangeOnly(words) || isDetailOnly(words) { return .sameRequest }
        // A message that flags a service and reads as another kind of request is new,
        // however short ("and add a task to call Bob"); an answer to a question needs to be
        // surer of it ("the event is called Toto concert" names an event but asks nothing).
        let ownFamily = reading.services.isEmpty ? nil : reading.action.family
        if let ownFamily, let previous = context.action?.family, ownFamily != previous,
           (reading.familyScores[ownFamily] ?? 0) >= (context.askedForDetail ? 0.8 : 0.5) {
            return .new
        }
        if context.askedForDetail { return .sameRequest }
        // A short remark on something shown and waiting ("can you tell me the address?"):
        // still about it, unless it is a programmer's question.
        if context.awaitingAnswer, ownFamily == nil, words.count <= 8, !technical { return .sameRequest }
        return .new
    }

    /// Words that only say when: "tomorrow", "friday at 4", "the 9th", "next week".
    static let detailWords: Set<String> = [
        "today", "tomorrow", "tonight", "yesterday", "morning", "afternoon", "evening", "noon", "midnight", "next", "this",
        "week", "weekend", "month", "day", "at", "on", "in", "the", "of", "for", "from", "to", "until", "and", "or", "then",
        "am", "pm", "a.m", "p.m", "o'clock", "oclock", "half", "past", "quarter", "hour", "hours", "minutes", "instead", "maybe",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    ]

    /// A message of dates and times and nothing else: it changes when, not what.
    static func isDetailOnly(_ words: [String]) -> Bool {
        !words.isEmpty && words.count <= 8 && words.allSatisfy { word in
            detailWords.contains(word) || word.first?.isNumber == true
        } && words.contains { !["at", "on", "in", "the", "of", "for", "from", "to", "and", "or", "then"].contains($0) }
    }

    /// "thanks", "perfect, thank you", "wonderful": gratitude and nothing else.
    static func isThanks(_ words: [String]) -> Bool {
        let praise: Set<String> = ["thanks", "thank", "you", "very", "much", "so", "a", "lot", "perfect", "great", "wonderful", "awesome",
                                   "excellent", "nice", "cool", "ok", "okay", "good", "brilliant", "appreciate", "it", "i", "that", "is",
                                   "sounds", "works", "for", "your", "help", "the", "bunch", "cheers"]
        return words.count <= 8 && (words.contains("thanks") || words.contains("thank") || words.contains("appreciate") || words.contains("cheers"))
            && words.allSatisfy { praise.contains($0) }
    }

    static func isClosing(_ words: [String]) -> Bool {
        let body = words.drop { ["ok", "okay", "great", "thanks", "thank", "you", "no", "nope", "alright", "cool", "perfect"].contains($0) && words.count > 2 }
        return closings.contains { words.starts(with: $0) || Array(body).starts(with: $0) || words.suffix($0.count).elementsEqual($0) }
    }

    /// "yes", "yes please", "sure, go ahead", "no thanks", "don't".
    static func isYesOrNo(_ words: [String]) -> Bool {
        guard !words.isEmpty, words.count <= 6 else { return false }
        let courtesy: Set<String> = ["thanks", "thank", "you"]
        return words.allSatisfy { affirmations.contains($0) || negations.contains($0) || courtesy.contains($0) }
            && words.contains { !courtesy.contains($0) }
    }

    static func isNegative(_ words: [String]) -> Bool {
        words.contains { negations.contains($0) } && !words.contains("yes")
    }

    /// "what about tomorrow", "how about 4", "make it friday", "and next week": a detail
    /// changed, nothing new asked.
    private static func isChangeOnly(_ words: [String]) -> Bool {
        let openers: [[String]] = [["what", "about"], ["how", "about"], ["make", "it"], ["and"], ["change", "it", "to"], ["move", "it", "to"], ["instead"]]
        return words.count <= 6 && openers.contains { words.starts(with: $0) }
    }
}
