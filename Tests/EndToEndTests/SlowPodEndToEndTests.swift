import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Pods whose container takes long to start: Ctrl+C and the wait timeout must leave nothing
/// billing that autopod does not know about.
final class SlowPodEndToEndTests: EndToEndCase {
    override var bootDelay: Double { 60 }

    /// Whether connect is waiting on the pod: REST v2 says PROVISIONING for the first half of
    /// the boot, GraphQL has only a null runtime ("container starting").
    func waiting(_ running: RunningProcess) -> Bool {
        running.stderrSoFar.contains(onREST ? "placed on a machine" : "container starting")
    }

    func testInterruptDuringTheWaitTerminatesThePod() throws {
        let running = try cli.start(["connect", "--no-shell", "--gpu", "A40"])
        // Wait until the pod exists and autopod is waiting on it.
        try eventually("the pod to be created and recorded") {
            try sim.pods().count == 1 && waiting(running)
        }
        running.interrupt()
        let result = running.wait(timeout: .seconds(60))
        XCTAssertEqual(result.status, 130, "\(result)")
        XCTAssertTrue(result.stderr.contains("terminated"), result.stderr)
        let pods = try sim.pods()
        XCTAssertEqual(pods.count, 1)
        XCTAssertEqual(pods.first?["terminated"] as? Bool, true, "\(pods)")
        let all = try listJSON(all: true)
        XCTAssertEqual(all.first?["status"] as? String, "TERMINATED")
    }

    func testTerminationSignalDuringTheWaitTerminatesThePod() throws {
        let running = try cli.start(["connect", "--no-shell", "--gpu", "A40"])
        try eventually("the pod to be created and recorded") {
            try sim.pods().count == 1 && waiting(running)
        }
        running.terminate()  // SIGTERM, as when the session is killed
        let result = running.wait(timeout: .seconds(60))
        XCTAssertEqual(result.status, 130, "\(result)")
        XCTAssertEqual(try sim.pods().first?["terminated"] as? Bool, true)
    }

    func testSecondInterruptExitsAtOnceWithThePodStillRecorded() throws {
        let running = try cli.start(["connect", "--no-shell", "--gpu", "A40"])
        try eventually("the pod to be created and recorded") {
            try sim.pods().count == 1 && waiting(running)
        }
        // Two interrupts in a row: the first asks to clean up, the second quits at once.
        running.interrupt()
        Thread.sleep(forTimeInterval: 0.05)
        running.interrupt()
        let result = running.wait(timeout: .seconds(60))
        XCTAssertEqual(result.status, 130, "\(result)")
        let live = try sim.livePods()
        let listed = try listJSON()
        // Whatever the race between the two signals, no pod is running that autopod does not list.
        XCTAssertEqual(Set(live.compactMap { $0["id"] as? String }), Set(listed.compactMap { $0["id"] as? String }))
    }

    func testWaitTimeoutTerminatesThePod() throws {
        let result = try cli.run(["connect", "--no-shell", "--gpu", "A40", "--wait-timeout", "3s"])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("not ready after"), result.stderr)
        XCTAssertTrue(result.stderr.contains("was terminated"), result.stderr)
        XCTAssertEqual(try sim.pods().first?["terminated"] as? Bool, true)
        XCTAssertEqual(try listJSON().count, 0)
    }

    func testKeepOnFailureKeepsThePod() throws {
        let result = try cli.run(["connect", "--no-shell", "--gpu", "A40", "--wait-timeout", "2s", "--keep-on-failure"])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("--keep-on-failure"), result.stderr)
        XCTAssertEqual(try sim.livePods().count, 1)
        XCTAssertEqual(try listJSON().first?["status"] as? String, "STARTING")
    }

    // Issue 17, 7: a terminate that fails must not leave the pod billing behind a vague error.

    /// Starts `connect` and interrupts it once it is waiting for the pod to start.
    func interruptedConnect() throws -> ProcessResult {
        let running = try cli.start(["connect", "--no-shell", "--gpu", "A40"])
        try eventually("the pod to be created and recorded") {
            try sim.pods().count == 1 && waiting(running)
        }
        running.interrupt()
        return running.wait(timeout: .seconds(90))
    }

    func testTerminateAfterInterruptIsRetriedThroughServerErrors() throws {
        try addFault(on: .terminate, ["status": 500, "count": 2])
        let result = try interruptedConnect()
        XCTAssertEqual(result.status, 130, "\(result)")
        XCTAssertTrue(result.stderr.contains("was terminated"), result.stderr)
        XCTAssertEqual(try sim.pods().first?["terminated"] as? Bool, true)
        XCTAssertEqual(try listJSON(all: true).first?["status"] as? String, "TERMINATED")
    }

    func testTerminateThatKeepsFailingSaysThePodStillBillsAndHowToEndIt() throws {
        // As many failures as the standard retry policy makes attempts (5): every one fails.
        try addFault(on: .terminate, ["status": 500, "count": 5])
        let result = try interruptedConnect()
        XCTAssertEqual(result.status, 1, "\(result)")
        let name = try XCTUnwrap(try sim.pods().first?["name"] as? String)
        XCTAssertTrue(result.stderr.contains("\(name) is still running and billing"), result.stderr)
        XCTAssertTrue(result.stderr.contains("Run `autopod kill \(name)`"), result.stderr)
        XCTAssertEqual(try sim.livePods().count, 1)
        XCTAssertEqual(try listJSON().first?["name"] as? String, name, "the pod is listed as live, not as ended")
        // The command the message gives ends the bill.
        let kill = try cli.run(["kill", name, "--yes"])
        XCTAssertEqual(kill.status, 0, "\(kill)")
        XCTAssertEqual(try sim.livePods().count, 0)
    }
}
