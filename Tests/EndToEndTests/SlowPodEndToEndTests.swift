import Foundation
import TestSupport
import XCTest

/// Pods whose container takes long to start: Ctrl+C and the wait timeout must leave nothing
/// billing that autopod does not know about.
final class SlowPodEndToEndTests: EndToEndCase {
    override var bootDelay: Double { 60 }

    /// Whether connect is waiting on the pod: REST v2 says PROVISIONING for the first half of
    /// the boot, GraphQL has only a null runtime ("container starting").
    func waiting(_ running: RunningCLI) -> Bool {
        running.stderrSoFar.contains(onREST ? "placed on a machine" : "container starting")
    }

    func testInterruptDuringTheWaitTerminatesThePod() throws {
        let running = try cli.start(["connect", "--no-shell", "--gpu", "A40"])
        // Wait until the pod exists and autopod is waiting on it.
        try eventually("the pod to be created and recorded") {
            try sim.pods().count == 1 && waiting(running)
        }
        running.interrupt()
        let result = try running.wait(timeout: 60)
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
        running.process.terminate()  // SIGTERM, as when the session is killed
        let result = try running.wait(timeout: 60)
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
        let result = try running.wait(timeout: 60)
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
}
