import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Spot pods through the built binary: rented at the bid chosen, refused below the market's
/// floor with the floor named, marked in `list` and `info`, and a preemption explained where the
/// user is looking. REST v2 has no spot pods, so its half runs with `AUTOPOD_API=auto`: REST v2
/// for everything it covers, GraphQL for the bid.
final class SpotEndToEndTests: EndToEndCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        if onREST { cli.environment["AUTOPOD_API"] = "auto" }
    }

    private func spotPod() throws -> (name: String, id: String, entry: [String: Any]) {
        let first = try XCTUnwrap(listJSON().first)
        return (try XCTUnwrap(first["name"] as? String), try XCTUnwrap(first["id"] as? String), first)
    }

    private func simPod(_ id: String) throws -> [String: Any] {
        let reply = try sim.client.graphQL("query { pod(input: {podId: \"\(id)\"}) { costPerHr podType desiredStatus lastStatusChange } }")
        return try XCTUnwrap(reply.data("pod") as? [String: Any], reply.text)
    }

    func testASpotPodIsRentedAtTheChosenBidAndMarkedAsSpot() throws {
        let created = try connect(["--gpu", "a40", "--spot", "--bid", "0.25"])
        XCTAssertTrue(created.stderr.contains("spot: bidding $0.250/GPU/hr on A40 (your bid; the minimum now is $0.200/GPU/hr)"), created.stderr)
        let (name, id, entry) = try spotPod()
        XCTAssertEqual(entry["spotBid"] as? Double, 0.25)
        XCTAssertEqual(entry["pricePerHour"] as? Double ?? 0, 0.25, accuracy: 0.0001)
        let remote = try simPod(id)
        XCTAssertEqual(remote["podType"] as? String, "INTERRUPTABLE")
        XCTAssertEqual(remote["costPerHr"] as? Double ?? 0, 0.25, accuracy: 0.0001)

        let list = try cli.run(["list"])
        XCTAssertTrue(list.stdout.contains("spot@$0.250/GPU/hr"), list.stdout)
        let info = try cli.run(["info", name])
        XCTAssertTrue(info.stdout.contains("spot, bid $0.250/GPU/hr"), info.stdout)
    }

    func testTheDefaultBidIsTheMinimumPlusAMarginShownBeforeCreating() throws {
        let plan = try cli.run(["connect", "--dry-run", "--gpu", "a40", "--spot"])
        XCTAssertEqual(plan.status, 0, "\(plan)")
        XCTAssertTrue(plan.stdout.contains("MIN BID"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("spot: bidding $0.220/GPU/hr on A40 (the minimum now, $0.200/GPU/hr, plus 10%)"), plan.stdout)
        XCTAssertTrue(try sim.pods().isEmpty, "a dry run created a pod")

        let gpus = try cli.run(["gpus", "--spot", "--cloud", "SECURE"])
        XCTAssertEqual(gpus.status, 0, "\(gpus)")
        XCTAssertTrue(gpus.stdout.contains("MIN BID"), gpus.stdout)
        let json = try XCTUnwrap(try cli.json(["gpus", "--spot", "--cloud", "SECURE", "--json"]) as? [[String: Any]])
        let a40 = try XCTUnwrap(json.first { $0["id"] as? String == "NVIDIA A40" })
        XCTAssertEqual(a40["minimumBid"] as? Double, 0.2)

        try connect(["--gpu", "a40", "--spot"])
        XCTAssertEqual(try spotPod().entry["spotBid"] as? Double, 0.22)
    }

    func testABidBelowTheMinimumIsRefusedWithTheMinimumShown() throws {
        let result = try cli.run(["connect", "--no-shell", "--gpu", "a40", "--spot", "--bid", "0.05"])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("minimum bid of $0.20/GPU/hr"), result.stderr)
        XCTAssertTrue(try sim.livePods().isEmpty, "a refused bid left a pod")
    }

    func testAPreemptionEndsTheShellWithTheReason() throws {
        try connect(["--gpu", "a40", "--spot", "--bid", "0.25"])
        let (name, id, _) = try spotPod()
        let terminal = try cli.tmux(["shell", name, "--no-forwards"], width: 200, height: 30)
        try terminal.type("echo $((6*7))")
        try terminal.waitFor("42")
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/preempt").status, 200)
        XCTAssertEqual(try terminal.waitForExit(timeout: 60), 255)
        let screen = try terminal.capture().replacingOccurrences(of: "\n", with: "")
        XCTAssertTrue(screen.contains("preempted the spot pod (Outbid: "), screen)
        XCTAssertTrue(screen.contains("autopod recover"), screen)
    }

    func testATunnelReportsThePreemptionAndWaits() throws {
        try connect(["--gpu", "a40", "--spot", "--bid", "0.25"])
        let (name, id, _) = try spotPod()
        let port = Int(try FreePort.allocate())
        let tunnel = try cli.start(["tunnel", name, "\(port):8888"])
        defer { tunnel.terminate() }
        try eventually("the tunnel is up") { tunnel.stderrSoFar.contains("up: localhost:\(port)") }
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/preempt").status, 200)
        try eventually("the tunnel reports the preemption", timeout: 60) { tunnel.stderrSoFar.contains("preempted: \(name) was preempted") }
        XCTAssertTrue(tunnel.isRunning, "the tunnel gave up instead of waiting:\n\(tunnel.stderrSoFar)")
    }
}
