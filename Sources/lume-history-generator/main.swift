import Foundation
import LumeKit

// Fills a lume-tui database with synthetic but realistic chat history, for the benchmarks
// (BENCHMARKS.md) and the concurrent-writer test. Deterministic for a given --seed.
//
//   lume-history-generator --database PATH --conversations 100000 --messages 1000000
//   lume-history-generator --database PATH --append 500 --conversation ID --tag NAME
//   lume-history-generator --database PATH --sample
//   lume-history-generator --database PATH --long-conversation 10000
//
// --append writes messages one transaction each through the same call the app uses, which
// is what the two-process test needs; --sample writes the small fixed history kept as a
// schema fixture in Tests/LumeKitTests/Fixtures (one per schema version); the default mode
// imports in large transactions.

struct Options {
    var database = ""
    var conversations = 1000
    var messages = 10000
    var seed: UInt64 = 42
    var append = 0
    var conversation: Int64 = 0
    var tag = "writer"
    var sample = false
    var longConversation = 0
}

func parseOptions() -> Options {
    var options = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let arg = args.next() {
        func value() -> String {
            guard let v = args.next() else { fail("\(arg) needs a value") }
            return v
        }
        switch arg {
        case "--database": options.database = value()
        case "--conversations": options.conversations = Int(value()) ?? 0
        case "--messages": options.messages = Int(value()) ?? 0
        case "--seed": options.seed = UInt64(value()) ?? 42
        case "--append": options.append = Int(value()) ?? 0
        case "--conversation": options.conversation = Int64(value()) ?? 0
        case "--tag": options.tag = value()
        case "--sample": options.sample = true
        case "--long-conversation": options.longConversation = Int(value()) ?? 0
        default: fail("unknown argument \(arg)")
        }
    }
    if options.database.isEmpty { fail("--database PATH is required") }
    return options
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("lume-history-generator: \(message)\n".utf8))
    exit(2)
}

/// Text with the shape of real chats: Zipf-distributed English words with a long tail of
/// rare ones, some German, Japanese and emoji, code blocks in some replies.
struct TextGenerator {
    static let common = """
        the to and of a in is it you that for on with this be are have not as at your can will from or \
        but my do we about what if all so there an more one up time just like out get how when which \
        meeting email calendar task note list schedule tomorrow today week friday monday project team \
        review deploy build test release branch commit merge server database query index cache error \
        bug fix feature design doc plan draft send reply thanks please could would should need want \
        check update add remove change move call talk follow agenda budget report invoice customer \
        client launch sprint standup retro demo slides deadline lunch dinner coffee trip flight hotel \
        swift python rust go kubernetes docker terraform api endpoint latency memory cpu disk network
        """.split(whereSeparator: \.isWhitespace).map(String.init)
    static let syllables = ["ka", "lo", "mi", "ra", "te", "zu", "ven", "dor", "bis", "qua", "nel", "fi", "gro", "sha", "pim", "tek"]
    static let german = ["Grüße aus München, die Besprechung ist verschoben.", "Könnten wir die Präsentation überarbeiten?",
                         "Die Größe der Datei übersteigt das Limit.", "Schöne Grüße und bis nächste Woche."]
    static let japanese = ["東京で会議があります。", "明日の予定を確認してください。", "新しいプロジェクトの資料を送りました。",
                           "ラーメンを食べに行きましょう。"]
    static let emoji = ["🚀", "👍", "🎉", "🔥", "✅", "👩‍💻", "🇩🇪", "☕"]

    var random: SeededRandom

    mutating func word() -> String {
        // Zipf-like: low ranks far more often; 1 in 20 words comes from a long synthetic tail.
        if Int.random(in: 0..<20, using: &random) == 0 {
            let n = Int.random(in: 2...3, using: &random)
            return (0..<n).map { _ in Self.syllables.randomElement(using: &random)! }.joined()
        }
        let u = Double.random(in: 0..<1, using: &random)
        let rank = Int(pow(Double(Self.common.count), u)) - 1
        return Self.common[max(0, min(rank, Self.common.count - 1))]
    }

    mutating func sentence() -> String {
        let n = Int.random(in: 4...16, using: &random)
        var words = (0..<n).map { _ in word() }
        words[0] = words[0].prefix(1).uppercased() + words[0].dropFirst()
        return words.joined(separator: " ") + ["." , "?", "!", "."].randomElement(using: &random)!
    }

    mutating func message(role: MessageRole) -> String {
        var parts: [String] = []
        let sentences = role == .user ? Int.random(in: 1...3, using: &random) : Int.random(in: 2...12, using: &random)
        for _ in 0..<sentences { parts.append(sentence()) }
        let roll = Int.random(in: 0..<100, using: &random)
        if roll < 6 { parts.append(Self.german.randomElement(using: &random)!) }
        else if roll < 11 { parts.append(Self.japanese.randomElement(using: &random)!) }
        else if roll < 18 { parts.append(Self.emoji.randomElement(using: &random)!) }
        if role == .assistant && roll >= 90 {
            parts.append("```swift\nlet value = try await client.\(word())(id: \(roll))\nprint(value)\n```")
        }
        return parts.joined(separator: " ")
    }
}

let options = parseOptions()
let database: AppDatabase
do { database = try AppDatabase(path: options.database) } catch { fail("\(error)") }
var text = TextGenerator(random: SeededRandom(state: options.seed))

if options.sample {
    let t = Date(timeIntervalSince1970: 1_750_000_000)
    let sample = (0..<3).map { c in
        ImportedConversation(title: "Fixture conversation \(c)", archived: c == 2, messages: (0..<3).map { m in
            (m % 2 == 0 ? MessageRole.user : .assistant, "fixture message \(m) of conversation \(c): Grüße 東京 🚀",
             t + Double(c * 10 + m))
        })
    }
    do { try database.importConversations(sample) } catch { fail("\(error)") }
    exit(0)
}

if options.longConversation > 0 {
    // One conversation of that many messages, newer than everything else (the UI benchmark
    // opens and scrolls it).
    var time = Date()
    var messages: [(role: MessageRole, content: String, createdAt: Date)] = []
    for index in 0..<options.longConversation {
        let role: MessageRole = index % 2 == 0 ? .user : .assistant
        time += 1
        messages.append((role, "[\(index)] " + text.message(role: role), time))
    }
    do { try database.importConversations([ImportedConversation(title: "Long conversation (\(options.longConversation) messages)", messages: messages)]) } catch { fail("\(error)") }
    exit(0)
}

if options.append > 0 {
    for index in 0..<options.append {
        do {
            try database.appendMessage(to: options.conversation, role: .user, content: "\(options.tag) message \(index)")
        } catch {
            fail("append \(index) failed: \(error)")
        }
    }
    exit(0)
}

let perConversation = max(1, options.messages / max(1, options.conversations))
let start = Date(timeIntervalSince1970: 1_700_000_000)
var batch: [ImportedConversation] = []
var time = start
var remaining = options.messages
for index in 0..<options.conversations {
    // Spread message counts around the mean so some conversations are long; the last
    // conversations absorb the difference so the total is exactly --messages.
    let left = options.conversations - index
    var count = max(1, Int(Double(perConversation) * Double.random(in: 0.2...1.8, using: &text.random)))
    count = left == 1 ? max(1, remaining) : min(count, max(1, remaining - (left - 1)))
    remaining -= count
    var messages: [(role: MessageRole, content: String, createdAt: Date)] = []
    for m in 0..<count {
        let role: MessageRole = m % 2 == 0 ? .user : .assistant
        time += Double.random(in: 1...90, using: &text.random)
        messages.append((role, text.message(role: role), time))
    }
    let title = String(messages[0].content.prefix(50))
    batch.append(ImportedConversation(title: title, archived: index % 25 == 0, messages: messages))
    if batch.count == 500 {
        do { try database.importConversations(batch) } catch { fail("\(error)") }
        batch.removeAll(keepingCapacity: true)
    }
}
do { try database.importConversations(batch) } catch { fail("\(error)") }
