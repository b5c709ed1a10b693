import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Storage in every cost autopod shows, and `autopod cost` against the simulator's own billing
/// records (`GET /v2/billing/pods`, computed from the pods' real running intervals).
final class CostEndToEndTests: EndToEndCase {
    /// Big disks, so storage is large enough beside the GPUs to be checked in seconds.
    let volumeGB = 2000.0
    let containerDiskGB = 200.0
    let month = 30.0 * 86_400

    func testCostCountsStorageRunningAndStoppedAndAgreesWithRunPodsBilling() throws {
        try writeConfig(extra: ["volumeGB": Int(volumeGB), "containerDiskGB": Int(containerDiskGB)])
        try connect(["--gpu", "A40"])
        let name = try XCTUnwrap(try listJSON().first?["name"] as? String)
        Thread.sleep(forTimeInterval: 2)  // running time to charge
        let stop = try cli.run(["stop", name])
        XCTAssertEqual(stop.status, 0, "\(stop)")
        XCTAssertTrue(stop.stdout.contains("storage $"), stop.stdout)
        XCTAssertTrue(stop.stdout.contains("$13.33/day while stopped"), stop.stdout)
        Thread.sleep(forTimeInterval: 2)  // stopped time: the volume alone, at twice the rate

        // list: storage is part of the cost, and the footer says what the stopped pod costs a day.
        let pod = try XCTUnwrap(try listJSON().first)
        let storage = try XCTUnwrap(pod["storageCost"] as? Double)
        let compute = try XCTUnwrap(pod["computeCost"] as? Double)
        let running = try XCTUnwrap(pod["runningSeconds"] as? Double)
        XCTAssertEqual(try XCTUnwrap(pod["costSoFar"] as? Double), compute + storage, accuracy: 0.0002)
        XCTAssertEqual(try XCTUnwrap(pod["stoppedCostPerDay"] as? Double), volumeGB * 0.20 / 30, accuracy: 0.0001)
        // More than the running rate alone would give: the stopped seconds are counted.
        XCTAssertGreaterThan(storage, (volumeGB + containerDiskGB) * 0.10 * running / month * 1.2)
        let list = try cli.run(["list"])
        XCTAssertEqual(list.status, 0, "\(list)")
        XCTAssertTrue(list.stdout.contains("1 stopped · $13.33/day for their storage while they wait"), list.stdout)
        // The balance comes from GraphQL; REST v2 alone does not tell it.
        XCTAssertEqual(list.stdout.contains("balance $"), !onREST, list.stdout)

        // cost: the parts add up, by pod and by day alike, and match the simulator's billing.
        let report = try XCTUnwrap(try cli.json(["cost", "--since", "1d"]) as? [String: Any])
        let totals = try XCTUnwrap(report["totals"] as? [String: Any])
        let total = try XCTUnwrap(totals["total"] as? Double)
        XCTAssertEqual(total, (totals["compute"] as? Double ?? -1) + (totals["storage"] as? Double ?? -1), accuracy: 0.0002)
        let rows = try XCTUnwrap(report["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.reduce(0) { $0 + ($1["total"] as? Double ?? 0) }, total, accuracy: 0.0002)
        let byDay = try XCTUnwrap(try cli.json(["cost", "--since", "1d", "--by", "day"]) as? [String: Any])
        XCTAssertEqual(((byDay["totals"] as? [String: Any])?["total"] as? Double) ?? -1, total, accuracy: 0.0002)

        let start = try XCTUnwrap(report["start"] as? String)
        let billing = try sim.client.rest("GET", "/v2/billing/pods?bucketSize=day&startTime=\(start)")
        XCTAssertEqual(billing.status, 200, billing.text)
        let billed = try XCTUnwrap((billing.json?["metadata"] as? [String: Any])?["totals"] as? [String: Any])
        let billedTotal = try XCTUnwrap(billed["totalAmount"] as? Double)
        let billedDisk = try XCTUnwrap(billed["diskAmount"] as? Double)
        XCTAssertEqual(total, billedTotal, accuracy: 0.01, "within a cent of RunPod's billing")
        // Tighter than a cent, or a few seconds of a pod could never fail it.
        XCTAssertEqual(total, billedTotal, accuracy: 0.0005)
        XCTAssertEqual(try XCTUnwrap(totals["storage"] as? Double), billedDisk, accuracy: billedDisk * 0.25)
        // On REST v2 autopod reads the same records itself and shows the difference.
        XCTAssertEqual(report["reconciled"] as? Bool, onREST)
        if onREST {
            XCTAssertEqual(try XCTUnwrap(totals["billed"] as? Double), billedTotal, accuracy: 0.0005)
            XCTAssertEqual(try XCTUnwrap(totals["difference"] as? Double), 0, accuracy: 0.0005)
            let text = try cli.run(["cost", "--since", "1d"])
            XCTAssertTrue(text.stdout.contains("agrees with RunPod's billing within a cent"), text.stdout)
        }

        // kill says the whole cost with its parts.
        let kill = try cli.run(["kill", name, "--yes"])
        XCTAssertEqual(kill.status, 0, "\(kill)")
        XCTAssertTrue(kill.stdout.contains("(GPU $"), kill.stdout)
        XCTAssertTrue(kill.stdout.contains("storage $"), kill.stdout)
    }

    func testCostSaysWhetherItHadBillingRecords() throws {
        try connect(["--gpu", "A40"])
        let text = try cli.run(["cost"])
        XCTAssertEqual(text.status, 0, "\(text)")
        XCTAssertTrue(text.stdout.contains("Cost since"), text.stdout)
        XCTAssertEqual(text.stdout.contains("keeps no billing records"), !onREST, text.stdout)
        XCTAssertEqual(text.stdout.contains("RUNPOD"), onREST, text.stdout)
        let bad = try cli.run(["cost", "--since", "7d", "--month"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--since and --month"), bad.stderr)
    }
}
