import Foundation
import LumeKit
import LumeTestSupport
import Testing

/// `lume-tui detect`, run as the real binary.
@Suite struct DetectCommandTests {
    let home = TestHome()

    @Test func jsonIsExactlyTheContractsShape() throws {
        let result = try ProcessRunner.lume(["detect", "--json", "Send an email and create a task"], home: home)
        #expect(result.status == 0)
        #expect(result.stdout == "{\"email\":true,\"calendar\":false,\"tasks\":true,\"keep\":false}\n")
        #expect(result.stderr.isEmpty)
        let none = try ProcessRunner.lume(["detect", "--json", "what", "is", "the", "capital", "of", "Chile"], home: home)
        #expect(none.stdout == "{\"email\":false,\"calendar\":false,\"tasks\":false,\"keep\":false}\n")
    }

    @Test func readableOutputShowsTheEvidence() throws {
        let result = try ProcessRunner.lume(["detect", "am", "I", "free", "Thursday", "afternoon?"], home: home)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("calendar: \""), "\(result.stdout)")
        #expect(result.stdout.contains("%)"))
        let none = try ProcessRunner.lume(["detect", "tell me a joke"], home: home)
        #expect(none.stdout == "none: no Google service needed\n")
    }

    /// --explain adds what the message asks for and the details read; --json and --batch
    /// give it as one JSON object per message, with the contract's services inside.
    @Test func explainSaysTheActionAndItsDetails() throws {
        let text = try ProcessRunner.lume(["detect", "--explain", "lunch with Bob tomorrow at 1pm for an hour"], home: home)
        #expect(text.status == 0)
        #expect(text.stdout.contains("action: create_event (cal_set)"), "\(text.stdout)")
        #expect(text.stdout.contains("title=\"Lunch with Bob\""))
        let lines = ["email Ana the report saying it is done", "how do I send an email with python smtplib?", "what tasks are still open?"]
        let batch = try ProcessRunner.lume(["detect", "--explain", "--batch"], home: home, stdin: lines.joined(separator: "\n") + "\n")
        let answers = batch.stdout.split(separator: "\n").map { JSONValue.parse(String($0)) }
        #expect(answers.map { $0["intent"]?.stringValue } == ["compose_mail", "chat", "list_tasks"])
        #expect(answers[0]["services"] == JSONValue.parse(#"{"email":true,"calendar":false,"tasks":false,"keep":false}"#))
        #expect(answers[0]["details"]?["to"] == .array([.string("Ana")]))
        #expect(answers[1]["services"] == JSONValue.parse(#"{"email":false,"calendar":false,"tasks":false,"keep":false}"#))
        #expect(answers[2]["services"]?["tasks"] == .bool(true))
    }

    @Test func usageErrorsExit2() throws {
        #expect(try ProcessRunner.lume(["detect"], home: home).status == 2)
        #expect(try ProcessRunner.lume(["detect", "--batch", "extra"], home: home).status == 2)
    }

    @Test func batchAnswersEveryLineInOrder() throws {
        let lines = ["email Ana the report", "", "am I free friday?", "add milk to the shopping list", "sort a list in python"]
        let result = try ProcessRunner.lume(["detect", "--batch"], home: home, stdin: lines.joined(separator: "\n") + "\n")
        #expect(result.status == 0)
        let answers = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(answers.count == lines.count)
        for (line, answer) in zip(lines, answers) {
            let single = try ProcessRunner.lume(["detect", "--json", line.isEmpty ? " " : line], home: home)
            #expect(single.stdout == answer + "\n", "\(line)")
        }
        // Windows line ends and a last line without a newline are read too.
        let crlf = try ProcessRunner.lume(["detect", "--batch"], home: home, stdin: "email Ana\r\njot this down")
        #expect(crlf.stdout == "{\"email\":true,\"calendar\":false,\"tasks\":false,\"keep\":false}\n{\"email\":false,\"calendar\":false,\"tasks\":false,\"keep\":true}\n")
    }

    @Test func batchOfThousandsMatchesLineByLine() throws {
        let lines = (0..<3000).map { ["email Ana the report \($0)", "am I free at \($0 % 12 + 1)pm", "sort a list of \($0) tuples", "add item \($0) to my shopping list"][$0 % 4] }
        let result = try ProcessRunner.lume(["detect", "--batch"], home: home, stdin: lines.joined(separator: "\n") + "\n")
        let answers = result.stdout.split(separator: "\n").map(String.init)
        #expect(answers.count == 3000)
        let expected = try (0..<4).map { try ProcessRunner.lume(["detect", "--json", lines[$0]], home: home).stdout.trimmingCharacters(in: .newlines) }
        for (index, answer) in answers.enumerated() where answer != expected[index % 4] {
            Issue.record("line \(index): \(answer) ≠ \(expected[index % 4])")
            break
        }
    }

    /// The first answer must arrive while stdin is still open: a script can feed lines one
    /// at a time and read each verdict.
    @Test func batchStreamsBeforeStdinCloses() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Products.lumeTUI)
        process.arguments = ["detect", "--batch"]
        process.environment = home.environment
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        defer {
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }
        input.fileHandleForWriting.write(Data("email Ana the report\n".utf8))
        let first = try readLine(from: output.fileHandleForReading, timeout: 10)
        #expect(first == "{\"email\":true,\"calendar\":false,\"tasks\":false,\"keep\":false}")
        #expect(process.isRunning, "still waiting for more input")
        input.fileHandleForWriting.write(Data("jot this down\n".utf8))
        let second = try readLine(from: output.fileHandleForReading, timeout: 10)
        #expect(second == "{\"email\":false,\"calendar\":false,\"tasks\":false,\"keep\":true}")
    }

    struct Timeout: Error {}

    /// Reads one line, failing after `timeout` seconds instead of hanging.
    func readLine(from handle: FileHandle, timeout: TimeInterval) throws -> String {
        var bytes: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var ready = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(handle.fileDescriptor, &byte, 1) == 1 else { break }
            if byte == 0x0A { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        throw Timeout()
    }
}
