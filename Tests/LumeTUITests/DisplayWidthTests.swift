import Testing
@testable import lume_tui

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("hello", 5),
        ("東京", 4),
        ("ｱ", 1),              // half-width katakana
        ("Ａ", 2),             // full-width Latin
        ("e\u{301}", 1),       // combining acute
        ("🚀", 2),
        ("🇩🇪", 2),            // flag: two regional indicators, one cell each
        ("👩‍💻", 4),            // ZWJ sequence shown as its parts
        ("👍🏽", 4),            // emoji + skin tone
        ("❤️", 1),             // VS16 dropped: text presentation
        ("a\u{1B}[31mb", 7),   // ESC becomes a visible symbol
        ("", 0),
    ])
    func widths(text: String, cells: Int) {
        #expect(DisplayWidth.of(text) == cells)
    }

    @Test func controlCharactersAreNeverDrawnRaw() {
        let cells = DisplayWidth.cells(of: "\u{1B}")
        #expect(cells == [DisplayWidth.Cell(text: "␛", width: 1)])
        #expect(DisplayWidth.cells(of: "👩‍💻").map(\.text) == ["👩", "💻"])
        #expect(DisplayWidth.cells(of: "e\u{301}").map(\.text) == ["e\u{301}"])
    }

    @Test func truncateAndPadRespectCells() {
        #expect(DisplayWidth.truncate("東京都庁", to: 5) == "東京…")
        #expect(DisplayWidth.truncate("short", to: 10) == "short")
        #expect(DisplayWidth.pad("東", to: 4) == "東  ")
        #expect(DisplayWidth.of(DisplayWidth.pad("東京都庁", to: 5)) == 5)
    }
}
