import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `connect --wait-for-stock` through the built binary: it watches while the preferred type has
/// no stock, creates exactly one pod (with a bell) once stock appears, and gives up at
/// --max-wait with nothing created.
final class WaitForStockEndToEndTests: EndToEndCase {
    func testStockReturningCreatesExactlyOnePod() throws {
        try sim.setStock("NVIDIA A40", "None")
        let running = try cli.start([
            "connect", "--no-shell", "--gpu", "a40", "--wait-for-stock", "--max-wait", "2m", "--stock-interval", "0.3s",
        ])
        try eventually("connect waits for stock") { running.stderrSoFar.contains("waiting for stock: A40") }
        // A few checks pass with nothing created.
        try eventually("several checks", timeout: 20) { running.stderrSoFar.components(separatedBy: "waiting for stock").count > 3 }
        XCTAssertTrue(try sim.pods().isEmpty, "a pod was created while there was no stock")
        try sim.setStock("NVIDIA A40", "Low")
        let result = running.wait(timeout: .seconds(90))
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stderr.contains("\u{7}"), "no bell:\n\(result.stderr)")
        XCTAssertTrue(result.stderr.contains("A40 has stock now (Low); creating"), result.stderr)
        let pods = try sim.pods()
        XCTAssertEqual(pods.count, 1, "\(pods)")
    }

    func testNoStockWithinMaxWaitCreatesNothingAndSaysSo() throws {
        try sim.setStock("NVIDIA A40", "None")
        let result = try cli.run([
            "connect", "--no-shell", "--gpu", "a40", "--wait-for-stock", "--max-wait", "2s", "--stock-interval", "0.3s",
        ])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("no stock for A40 within"), result.stderr)
        XCTAssertTrue(result.stderr.contains("nothing was created"), result.stderr)
        XCTAssertTrue(try sim.pods().isEmpty)
    }
}
