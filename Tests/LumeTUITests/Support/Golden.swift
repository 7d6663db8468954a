import Foundation
import Testing
@testable import lume_tui

/// Screens compared as text with golden files next to the tests (Tests/LumeTUITests/Golden).
/// Re-record with `LUME_RECORD_GOLDEN=1 swift test --disable-xctest --filter ScreenTests`
/// and review the diff.
enum Golden {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Golden")

    static func check(_ grid: Grid, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = frame(grid)
        let file = directory.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["LUME_RECORD_GOLDEN"] == "1" {
            try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try? text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            Issue.record("no golden file \(name).txt; record it with LUME_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if expected != text {
            Issue.record("screen \(name) differs from its golden file:\n--- expected\n\(expected)\n--- actual\n\(text)", sourceLocation: sourceLocation)
        }
    }

    /// The grid's text in a frame, so trailing spaces and the size are visible in reviews,
    /// with the cursor marked by its position.
    static func frame(_ grid: Grid) -> String {
        let border = "+" + String(repeating: "-", count: grid.size.columns) + "+"
        var lines = [border]
        for (row, line) in grid.text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let width = DisplayWidth.of(line)
            lines.append("|" + line + String(repeating: " ", count: max(0, grid.size.columns - width)) + "|" + (grid.cursor?.row == row ? " <cursor col \(grid.cursor!.column)>" : ""))
        }
        lines.append(border)
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Fixed time and zone for screens: tests must not depend on the machine's clock or TZ.
enum TestClock {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)  // a Thursday afternoon, UTC
}
