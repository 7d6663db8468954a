import Foundation
import LumeKit

/// Formatting shared by the listing commands: aligned tables (CJK-aware), JSON, times.
enum Output {
    /// Left-aligned columns sized to their widest cell; the last column is not padded.
    static func table(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let columns = header.count
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.enumerated() where index < columns - 1 {
                widths[index] = min(max(widths[index], DisplayWidth.of(cell)), 48)
            }
        }
        return all.map { row in
            row.enumerated().map { index, cell in
                index == columns - 1 ? oneLine(cell) : DisplayWidth.pad(oneLine(cell), to: widths[index])
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    /// A path as it can be pasted into a shell: single-quoted when it needs to be.
    static func shellQuoted(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "/._-+:@%".unicodeScalars.contains($0) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Multi-line text flattened for a table cell.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ⏎ ")
    }

    /// Pretty, key-sorted JSON: stable for diffs and tests.
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(isoTime(date))
        }
        return escapingInvisibleControls(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// JSON escapes C0 controls itself; DEL and the C1 controls it leaves as they are,
    /// and some terminals obey C1 (U+009B is a CSI). They can only occur inside strings,
    /// where `\u009b` means the same character, so the JSON says the same and is safe to print.
    static func escapingInvisibleControls(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { (0x7F...0x9F).contains($0.value) }) else { return json }
        var result = ""
        for scalar in json.unicodeScalars {
            if (0x7F...0x9F).contains(scalar.value) {
                result += "\\u00" + String(scalar.value, radix: 16)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func isoTime(_ date: Date) -> String { TimeFormat.iso8601(date) }

    /// "2026-11-27 14:05" in the user's time zone.
    static func localTime(_ date: Date) -> String { zone.minute(date) }

    /// Read once per command: the zone does not change while a listing prints.
    private static let zone = LocalTime.current

    /// A search snippet with its match marked: reverse video on a terminal, `**…**` elsewhere.
    /// The snippet's own text goes through `show` first (`Console.visible` for a terminal),
    /// so the only escapes in the result are the marks'; print it with `Console.printStyledLine`.
    static func markedSnippet(_ snippet: String, styled: Bool, show: (String) -> String = { $0 }) -> String {
        let (open, close) = styled ? ("\u{1B}[7m", "\u{1B}[27m") : ("**", "**")
        let marks: Set<Character> = [Character(SearchHit.markStart), Character(SearchHit.markEnd)]
        let parts = oneLine(snippet).split(omittingEmptySubsequences: false, whereSeparator: marks.contains)
        var result = ""
        for (index, part) in parts.enumerated() {
            // Marks alternate: start, end, start, …
            if index > 0 { result += index % 2 == 1 ? open : close }
            result += show(String(part))
        }
        return result
    }
}
