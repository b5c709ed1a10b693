import AutopodCore
import XCTest

final class TerminalTextTests: XCTestCase {
    func testControlsAndBidiOverridesAreEscaped() {
        XCTAssertEqual(TerminalText.escaped("a\u{1B}]0;t\u{07}b\rc\u{9B}d\u{202E}e\u{7F}"), #"a\x1b]0;t\x07b\x0dc\x9bd\u{202e}e\x7f"#)
        XCTAssertEqual(TerminalText.escaped("plain näme ✓"), "plain näme ✓")
        XCTAssertEqual(TerminalText.escaped("two\nlines\t"), #"two\x0alines\x09"#)
        XCTAssertEqual(TerminalText.escaped("two\nlines", keepingLines: true), "two\nlines")
    }

    func testStyleSequencesSurviveButOtherEscapesDoNot() {
        XCTAssertEqual(TerminalText.escapedKeepingStyle("\u{1B}[32mok\u{1B}[0m"), "\u{1B}[32mok\u{1B}[0m")
        XCTAssertEqual(TerminalText.escapedKeepingStyle("\u{1B}[2J\u{1B}]2;x\u{07}"), #"\x1b[2J\x1b]2;x\x07"#)
    }

    func testShellWordsAreQuotedWhenNeeded() {
        XCTAssertEqual(TerminalText.shellWord("autopod-2026-01-01-001"), "autopod-2026-01-01-001")
        XCTAssertEqual(TerminalText.shellWord("my pod's"), #"'my pod'\''s'"#)
        XCTAssertEqual(TerminalText.shellWord("$(rm -rf ~)"), "'$(rm -rf ~)'")
        XCTAssertEqual(TerminalText.shellWord("a\u{1B}b"), #"'a\x1bb'"#)
        XCTAssertFalse(TerminalText.hasControls("ok-name"))
        XCTAssertTrue(TerminalText.hasControls("bad\u{7}"))
    }
}
