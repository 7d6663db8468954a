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
            line, each as soon as its line has been read.
            """)

    @Flag(help: "Print the verdict as one JSON object.") var json = false
    @Flag(help: "Read messages from stdin, one per line; write one JSON object per line.") var batch = false
    @Argument(help: "The message (words are joined with spaces).") var text: [String] = []

    func validate() throws {
        if batch && !text.isEmpty { throw ValidationError("--batch reads stdin; give no message arguments") }
        if !batch && text.isEmpty { throw ValidationError("give a message to check, or --batch to read stdin") }
    }

    func run() async throws {
        let detector = ServiceDetector.shared
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
                                results[index] = ServiceDetection.json(detector.services(lines[index]))
                            }
                        }
                    }
                } else {
                    for (index, line) in lines.enumerated() {
                        answers[index] = ServiceDetection.json(detector.services(line))
                    }
                }
                for answer in answers { output.append(answer) }
            }
            output.flush()
            return
        }
        let detection = detector.detect(text.joined(separator: " "))
        if json {
            Console.printLine(detection.json)
        } else {
            Console.printLine(Self.describe(detection))
        }
    }

    /// "email: "send an email", "email" (95%)" per flagged service, or a plain "none".
    static func describe(_ detection: ServiceDetection) -> String {
        guard !detection.services.isEmpty else { return "none: no Google service needed" }
        return detection.services.map { service in
            let evidence = (detection.evidence[service] ?? []).map { "\"\($0)\"" }.joined(separator: ", ")
            let confidence = Int(((detection.confidence[service] ?? 0) * 100).rounded())
            return "\(service.rawValue): \(evidence.isEmpty ? "(no single phrase)" : evidence) (\(confidence)%)"
        }.joined(separator: "\n")
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
