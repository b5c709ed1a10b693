import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Issue 17 item 17: `list` and `info` with RunPod unreachable or hanging show what autopod
/// recorded, marked stale (`"stale": true`, a line under the table), and give up on a hanging
/// API within a few seconds in all, instead of two 30-second request timeouts.
final class ReadFallbackEndToEndTests: EndToEndCase {
    func testUnreachableAPIMarksTheRecordedPodsStale() throws {
        try connect(["--gpu", "A40", "--name", "kept"])
        let fresh = try listJSON()
        XCTAssertNil(fresh.first?["stale"], "data from RunPod is not stale: \(fresh)")

        cli.environment["RUNPOD_API_BASE_URL"] = "http://127.0.0.1:\(try freeLoopbackPort())"
        let listed = try XCTUnwrap(try cli.json(["list"]) as? [[String: Any]])
        XCTAssertEqual(listed.map { $0["name"] as? String }, ["kept"])
        XCTAssertEqual(listed.first?["stale"] as? Bool, true, "\(listed)")
        let table = try cli.run(["list"])
        XCTAssertEqual(table.status, 0, "\(table)")
        XCTAssertTrue(table.stdout.contains("kept") && table.stdout.contains("stale: RunPod did not answer"), table.stdout)

        let info = try XCTUnwrap(try cli.json(["info", "kept"]) as? [String: Any])
        XCTAssertEqual(info["stale"] as? Bool, true, "\(info)")
        let panel = try cli.run(["info", "kept"])
        XCTAssertEqual(panel.status, 0, "\(panel)")
        XCTAssertTrue(panel.stdout.contains("stale: RunPod did not answer"), panel.stdout)
    }

    func testAHangingAPIIsGivenUpOnWithinTheReadBudget() throws {
        try connect(["--gpu", "A40", "--name", "kept"])
        // Every request hangs for a minute; before, `list` waited 2 × 30 s before falling back.
        try sim.addFault(["delayMs": 60_000, "count": 50])
        let started = Date()
        let listed = try cli.run(["list", "--json"], timeout: .seconds(25))
        let took = Date().timeIntervalSince(started)
        print("list gave up on a hanging API after \(String(format: "%.1f", took)) s")
        XCTAssertEqual(listed.status, 0, "\(listed)")
        let pods = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(pods.first?["stale"] as? Bool, true, "\(pods)")
        let info = try cli.run(["info", "kept", "--json"], timeout: .seconds(25))
        XCTAssertEqual(info.status, 0, "\(info)")
        XCTAssertTrue(info.stdout.contains("\"stale\""), info.stdout)
    }
}
