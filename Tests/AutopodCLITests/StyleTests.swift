import XCTest

import AutopodCore
@testable import AutopodCLI

/// Colour only on a terminal, and never when the user said no (`NO_COLOR`, `TERM=dumb`).
final class StyleTests: XCTestCase {
    override func tearDown() {
        Style.configure(environment: [:], stdoutIsTerminal: false)
    }

    func testATerminalGetsOneSGRStyleEndedByAReset() {
        Style.configure(environment: ["TERM": "xterm-256color"], stdoutIsTerminal: true)
        XCTAssertEqual(Style.ok("RUNNING"), "\u{1B}[32mRUNNING\u{1B}[0m")
        XCTAssertEqual(Style.warn("x"), "\u{1B}[33mx\u{1B}[0m")
        XCTAssertEqual(Style.bad("x"), "\u{1B}[31mx\u{1B}[0m")
        XCTAssertEqual(Style.dim("x"), "\u{1B}[2mx\u{1B}[0m")
        XCTAssertEqual(Style.bold("x"), "\u{1B}[1mx\u{1B}[0m")
        XCTAssertEqual(Style.status("stopped"), "\u{1B}[33mstopped\u{1B}[0m")
        XCTAssertEqual(Style.visibleWidth(Style.bold(Style.ok("RUNNING"))), 7)
    }

    func testPlainTextForPipesAndForUsersWhoAskForIt() {
        for (environment, terminal) in [([:], false), (["NO_COLOR": "1"], true), (["TERM": "dumb"], true)] as [(Environment, Bool)] {
            Style.configure(environment: environment, stdoutIsTerminal: terminal)
            XCTAssertEqual(Style.ok("RUNNING"), "RUNNING", "\(environment), terminal: \(terminal)")
            XCTAssertEqual(Style.status("TERMINATED"), "TERMINATED")
        }
        // NO_COLOR set but empty does not count (no-color.org).
        Style.configure(environment: ["NO_COLOR": ""], stdoutIsTerminal: true)
        XCTAssertEqual(Style.bad("x"), "\u{1B}[31mx\u{1B}[0m")
    }
}
