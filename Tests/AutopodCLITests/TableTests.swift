import XCTest

@testable import AutopodCLI

/// Tables and panels line up by what the eye sees: colour codes take no width.
final class TableTests: XCTestCase {
    private let green = "\u{1B}[32m", reset = "\u{1B}[0m"

    func testColumnsAlignLeftAndRightWithoutTrailingSpaces() {
        var table = Table([.init("NAME"), .init("COST", .right), .init("NOTE")])
        table.add(["a", "$1.00", "x"])
        table.add(["longer", "$10.00", "yyyy"])
        XCTAssertEqual(
            table.render(),
            """
            NAME      COST  NOTE
            a        $1.00  x
            longer  $10.00  yyyy
            """)
    }

    func testColouredCellsArePaddedByTheirVisibleWidth() {
        let ok = green + "ok" + reset
        XCTAssertEqual(Style.visibleWidth(ok), 2)
        XCTAssertEqual(Style.visibleWidth("—"), 1)
        var table = Table([.init("STATUS"), .init("N", .right)])
        table.add([ok, "1"])
        table.add(["RUNNING", "10"])
        XCTAssertEqual(table.render().split(separator: "\n").map(String.init), ["STATUS    N", ok + "        1", "RUNNING  10"])
    }

    func testARowShorterThanTheHeaderStillRenders() {
        var table = Table([.init("A"), .init("B")])
        table.add(["only"])
        XCTAssertEqual(table.render(), "A     B\nonly")
    }

    func testPanelLabelsLineUp() {
        var panel = Panel(title: "autopod-1")
        panel.add("id", "abc")
        panel.add("status", "RUNNING")
        XCTAssertEqual(panel.render(), "autopod-1\n  id      abc\n  status  RUNNING")
    }
}
