import ArgumentParser
import Foundation
import LumeKit

/// `lume-tui detect`: which Google services a message needs, offline.
struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Say which Google services a message needs (email, calendar, tasks, keep).",
        discussion: """
            With --json, prints exactly {"email":true,"calendar":false,"tasks":true,"keep":false}.
            With --batch, reads one message per line from stdin and writes one JSON object per
            line, each as soon as its line has been read. With --explain, also the action the
            message asks for ("intent"), its details and the evidence; as JSON with --json or
            --batch: {"services":{...},"intent":"create_event","family":"cal_set","details":{...},...}.
            """)

    @Flag(help: "Print the verdict as one JSON object.") var json = false
    @Flag(help: "Read messages from stdin, one per line; write one JSON object per line.") var batch = false
    @Flag(help: "Also say what the message asks for (the action), the details read, and why.") var explain = false
    @Argument(help: "The message (words are joined with spaces).") var text: [String] = []

    func validate() throws {
        if batch && !text.isEmpty { throw ValidationError("--batch reads stdin; give no message arguments") }
        if !batch && text.isEmpty { throw ValidationError("give a message to check, or --batch to read stdin") }
    }

    func run() async throws {
        let understanding = Understanding.shared
        if batch {
            var output = BatchOutput()
            var input = LineReader(fd: STDIN_FILENO)
            // Flush whatever is answered before waiting for more input: a pipe fed line by
            // line gets each answer at once, a file is answered in large writes.
            input.beforeBlocking = { output.flush() }
            // Lines already read are answered together, on both cores when there are
            // enough of them; a line arriving alone is answered alone, at once.
            while let lines = input.availableLines() {
                var answers = [String](repeating: "", count: lines.count)
                if lines.count >= 256 {
                    let half = lines.count / 2
                    answers.withUnsafeMutableBufferPointer { results in
                        nonisolated(unsafe) let results = results
                        DispatchQueue.concurrentPerform(iterations: 2) { part in
                            for index in (part == 0 ? 0..<half : half..<lines.count) {
                                results[index] = answer(understanding.read(lines[index], explaining: explain), message: lines[index])
                            }
                        }
                    }
                } else {
                    for (index, line) in lines.enumerated() {
                        answers[index] = answer(understanding.read(line, explaining: explain), message: line)
                    }
                }
                for answer in answers { output.append(answer) }
            }
            output.flush()
            return
        }
        let message = text.joined(separator: " ")
        let reading = understanding.read(message)
        if json {
            Console.printLine(answer(reading, message: message))
        } else if explain {
            Console.printLine(Self.describe(reading) + "\n" + Self.explanation(reading, message: message))
        } else {
            Console.printLine(Self.describe(reading))
        }
    }

    /// One JSON line: the contract's exact services object, or with --explain the services,
    /// the action and its details, and the evidence.
    func answer(_ reading: Reading, message: String) -> String {
        guard explain else { return ServiceDetection.json(reading.services) }
        return Self.explained(reading, message: message).text
    }

    /// "email: "send an email", "email" (95%)" per flagged service, or a plain "none".
    static func describe(_ reading: Reading) -> String {
        guard !reading.services.isEmpty else { return "none: no Google service needed" }
        return reading.services.map { service in
            let evidence = (reading.evidence[service] ?? []).map { "\"\($0)\"" }.joined(separator: ", ")
            guard let confidence = reading.confidence[service] else { return "\(service.rawValue): (needed by the action)" }
            return "\(service.rawValue): \(evidence.isEmpty ? "(no single phrase)" : evidence) (\(Int((confidence * 100).rounded()))%)"
        }.joined(separator: "\n")
    }

    /// The action, its family's probability and the runners-up, and the details read.
    static func explanation(_ reading: Reading, message: String) -> String {
        let json = explained(reading, message: message)
        var lines = ["action: \(reading.action.rawValue) (\(reading.action.family.rawValue))"]
        let ranked = reading.familyScores.sorted { $0.value > $1.value }.prefix(3)
        if !ranked.isEmpty {
            lines.append("families: " + ranked.map { "\($0.key.rawValue) \(Int(($0.value * 100).rounded()))%" }.joined(separator: ", "))
        }
        if case let .object(details)? = json["details"], !details.isEmpty {
            lines.append("details: " + details.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.text)" }.joined(separator: " "))
        }
        return lines.joined(separator: "\n")
    }

    /// The JSON form of --explain: {"services":{…},"intent":…,"family":…,"details":{…},
    /// "scores":{…},"evidence":{…}}.
    static func explained(_ reading: Reading, message: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "services": JSONValue.parse(ServiceDetection.json(reading.services)),
            "intent": .string(reading.action.rawValue),
            "family": .string(reading.action.family.rawValue),
            "evidence": .object(Dictionary(uniqueKeysWithValues: reading.evidence.map { ($0.key.rawValue, .array($0.value.map(JSONValue.string))) })),
            "scores": .object(Dictionary(uniqueKeysWithValues: reading.familyScores.map { ($0.key.rawValue, .number(($0.value * 1000).rounded() / 1000)) })),
        ]
        let time = LocalTime.current
        object["details"] = IntentParser(now: Date(), time: time).intent(for: reading.action, message: message).details(time)
        return .object(object)
    }
}

/// Lines from a file descriptor, read in large chunks.
struct LineReader {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var pending: [UInt8] = []
    private var finished = false
    /// Called before a read that may block.
    var beforeBlocking: () -> Void = {}

    init(fd: Int32) { self.fd = fd }

    /// Every complete line already read (at least one, waiting for it if need be); nil at
    /// the end of input.
    mutating func availableLines() -> [String]? {
        guard let first = nextLine() else { return nil }
        var lines = [first]
        while lines.count < 8192, let newline = buffer[start..<end].firstIndex(of: 0x0A) {
            var line = Array(buffer[start..<newline])
            start = newline + 1
            if line.last == 0x0D { line.removeLast() }
            lines.append(String(decoding: line, as: UTF8.self))
        }
        return lines
    }

    /// The next line without its newline (and without a trailing CR); nil at end of input.
    mutating func nextLine() -> String? {
        while true {
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                var line = pending
                line += buffer[start..<newline]
                pending.removeAll(keepingCapacity: true)
                start = newline + 1
                if line.last == 0x0D { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            pending += buffer[start..<end]
            start = 0
            end = 0
            if finished {
                guard !pending.isEmpty else { return nil }
                defer { pending.removeAll() }
                return String(decoding: pending, as: UTF8.self)
            }
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, 0) == 0 { beforeBlocking() }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                end = count
            } else if count == 0 || errno != EINTR {
                finished = true
            }
        }
    }
}

/// Output lines gathered and written to stdout in as few writes as the input allows.
struct BatchOutput {
    private var bytes: [UInt8] = []

    mutating func append(_ line: String) {
        bytes += line.utf8
        bytes.append(0x0A)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
            if written <= 0 {
                if errno == EINTR { continue }
                break
            }
            offset += written
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
