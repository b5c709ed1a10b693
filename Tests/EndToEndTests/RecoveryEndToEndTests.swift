import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Recovery from a preemption through the built binary: a tunnel with --recover comes back on a
/// new spot pod whose /workspace network volume holds what was written before; `autopod
/// recover` resumes a pod whose machine is free; recovery stops at its limit and says so. These
/// need spot pods (GraphQL) and network volumes (REST v2), so they run once, with
/// `AUTOPOD_API=auto`.
final class RecoveryEndToEndTests: EndToEndCase {
    override class var runsOnEveryAPI: Bool { false }
    override class var stopsTunnelsAfterEachTest: Bool { true }

    override func setUpWithError() throws {
        try super.setUpWithError()
        cli.environment["AUTOPOD_API"] = "auto"
    }

    private func pods() throws -> [[String: Any]] { try listJSON() }

    func testATunnelWithRecoverComesBackOnANewPodOnTheSameNetworkVolume() throws {
        XCTAssertEqual(try cli.run(["volume", "create", "work", "--size", "20", "--region", "EU-RO-1"]).status, 0)
        try connect(["--gpu", "a40", "--spot", "--volume-id", "work"])
        let first = try XCTUnwrap(try pods().first)
        let (name, id) = (try XCTUnwrap(first["name"] as? String), try XCTUnwrap(first["id"] as? String))
        XCTAssertEqual(try cli.run(["exec", name, "--", "echo before-preemption > /workspace/kept.txt"]).status, 0)

        let port = Int(try FreePort.allocate())
        let tunnel = try cli.start(["tunnel", name, "\(port):8888", "--recover", "--recover-limit", "2"])
        defer { tunnel.terminate() }
        try eventually("the tunnel is up") { tunnel.stderrSoFar.contains("up: localhost:\(port)") }
        // The machine goes to the higher bidder, so a bid resume there is refused.
        let preempted = Date()
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/preempt", ["hostBusy": true]).status, 200)
        try eventually("the tunnel reports the preemption", timeout: 60) { tunnel.stderrSoFar.contains("preempted: \(name) was preempted") }
        try eventually("the tunnel is up on a new pod", timeout: 90) {
            tunnel.stderrSoFar.contains("recovered: the forwards now go to")
                && tunnel.stderrSoFar.components(separatedBy: "up: localhost:\(port)").count >= 3
        }
        // A figure, not an assertion: the sim boots a pod in 1 s.
        print("tunnel forwards back on a new pod \(String(format: "%.1f", Date().timeIntervalSince(preempted))) s after the preemption")
        let log = tunnel.stderrSoFar
        XCTAssertTrue(log.contains("recover 1/2: bidding $0.220/GPU/hr to resume \(name)"), log)
        XCTAssertTrue(log.contains("its machine is not free"), log)
        XCTAssertTrue(log.contains("recover 1/2: renting a new spot pod like \(name) at $0.220/GPU/hr on network volume work"), log)

        let live = try pods()
        let replacement = try XCTUnwrap(live.first { $0["id"] as? String != id }, "\(live)")
        XCTAssertEqual(replacement["spotBid"] as? Double, 0.22)
        XCTAssertEqual(replacement["networkVolumeId"] as? String, first["networkVolumeId"] as? String)
        let newName = try XCTUnwrap(replacement["name"] as? String)
        let read = try cli.run(["exec", newName, "--", "cat /workspace/kept.txt"])
        XCTAssertEqual(read.stdout, "before-preemption\n", "\(read)")
        XCTAssertFalse(live.contains { $0["id"] as? String == id }, "the preempted pod still holds the volume")
        XCTAssertTrue(cli.logText().contains("recovery: new spot pod"), "the attempts are not logged")

        // The tunnel is now the new pod's: `tunnel list` names it and `tunnel stop NEW` ends it.
        let tunnels = try XCTUnwrap(try cli.json(["tunnel", "list"]) as? [[String: Any]])
        XCTAssertEqual(tunnels.map { $0["podID"] as? String }, [replacement["id"] as? String], "\(tunnels)")
        XCTAssertEqual(tunnels.first?["podName"] as? String, newName, "\(tunnels)")
        let stopped = try cli.run(["tunnel", "stop", newName], timeout: .seconds(60))
        XCTAssertEqual(stopped.status, 0, "\(stopped)")
        XCTAssertFalse(tunnel.wait(timeout: .seconds(30)).timedOut, "tunnel stop \(newName) left the tunnel running")
    }

    /// `--detach --recover`: the background tunnel gets the recovery flags and, after the
    /// preemption, publishes itself under the new pod.
    func testADetachedTunnelWithRecoverFollowsTheNewPod() throws {
        try connect(["--gpu", "a40", "--spot"])
        let first = try XCTUnwrap(try pods().first)
        let (name, id) = (try XCTUnwrap(first["name"] as? String), try XCTUnwrap(first["id"] as? String))
        let port = Int(try FreePort.allocate())
        let detached = try cli.run(["tunnel", "--detach", name, "\(port):8888", "--recover", "--recover-limit", "2"], timeout: .seconds(60))
        XCTAssertEqual(detached.status, 0, "\(detached)")
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/preempt", ["hostBusy": true]).status, 200)
        var replacement: String?
        // What the background tunnel said, should it not come back.
        defer { if testRun?.hasSucceeded == false { print(self.detachedTunnelLogs()) } }
        try eventually("the detached tunnel is up on a new pod", timeout: 90) {
            let tunnels = try self.cli.json(["tunnel", "list"]) as? [[String: Any]] ?? []
            guard let tunnel = tunnels.first, tunnels.count == 1, let pod = tunnel["podID"] as? String, pod != id else { return false }
            replacement = pod
            return tunnel["state"] as? String == "up"
        }
        XCTAssertTrue(try pods().contains { $0["id"] as? String == replacement }, "the tunnel names a pod autopod does not know")
        XCTAssertEqual(try TunnelEndToEndTests.httpGet(port).isEmpty, false, "the forward does not carry a request to the new pod")
    }

    /// Every background tunnel's log, for a failure message.
    private func detachedTunnelLogs() -> String {
        let folder = cli.home.appendingPathComponent("tunnels")
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return logs.filter { $0.hasSuffix(".log") }.sorted().map { name in
            "--- \(name)\n" + ((try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? "")
        }.joined(separator: "\n")
    }

    func testRecoveryGivesUpAfterItsLimitAndSaysSo() throws {
        try connect(["--gpu", "a40", "--spot", "--bid", "0.25"])
        let first = try XCTUnwrap(try pods().first)
        let (name, id) = (try XCTUnwrap(first["name"] as? String), try XCTUnwrap(first["id"] as? String))
        let port = Int(try FreePort.allocate())
        let tunnel = try cli.start(["tunnel", name, "\(port):8888", "--recover", "--recover-limit", "2"])
        defer { tunnel.terminate() }
        try eventually("the tunnel is up") { tunnel.stderrSoFar.contains("up: localhost:\(port)") }
        try sim.setStock("NVIDIA A40", "None")
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/preempt").status, 200)
        let result = try tunnel.wait(timeout: .seconds(120))
        XCTAssertNotEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stderr.contains("recover 2/2"), result.stderr)
        XCTAssertFalse(result.stderr.contains("recover 3/"), result.stderr)
        XCTAssertTrue(result.stderr.contains("gave up recovering \(name) after 2 attempts"), result.stderr)
        XCTAssertEqual(try sim.pods().count, 1, "recovery created a pod although none could be placed")
    }

    func testConnectWithRecoverOpensTheShellAgainAfterAPreemption() throws {
        // No local forward: port 8888 may be taken on the test machine.
        try writeConfig(extra: ["forwards": [Int]()])
        let terminal = try cli.tmux(["connect", "--gpu", "a40", "--spot", "--recover"], width: 220, height: 50)
        try terminal.waitFor("is ready", timeout: 60)
        try terminal.type("echo $((6*7))")
        try terminal.waitFor("42")
        let first = try XCTUnwrap(try pods().first)
        let (name, id) = (try XCTUnwrap(first["name"] as? String), try XCTUnwrap(first["id"] as? String))
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/preempt", ["hostBusy": false]).status, 200)
        try terminal.waitFor("recovered: a new shell on \(name)", timeout: 90)
        try terminal.type("echo $((6*8))")
        try terminal.waitFor("48")
        let screen = try terminal.capture().replacingOccurrences(of: "\n", with: "")
        XCTAssertTrue(screen.contains("preempted the spot pod"), screen)
        XCTAssertTrue(screen.contains("recover 1/3: bidding $0.220/GPU/hr to resume \(name)"), screen)
        try terminal.type("exit 3")
        XCTAssertEqual(try terminal.waitForExit(timeout: 30), 3)
    }

    func testRecoverResumesThePodWhenItsMachineIsFree() throws {
        try connect(["--gpu", "a40", "--spot", "--bid", "0.25"])
        let first = try XCTUnwrap(try pods().first)
        let (name, id) = (try XCTUnwrap(first["name"] as? String), try XCTUnwrap(first["id"] as? String))
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/preempt", ["hostBusy": false]).status, 200)
        let result = try cli.run(["recover", name, "--recover-bid", "0.3"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stderr.contains("recover 1/3: bidding $0.300/GPU/hr to resume \(name)"), result.stderr)
        XCTAssertTrue(result.stdout.contains("\(name) resumed"), result.stdout)
        let pod = try sim.client.graphQL("query { pod(input: {podId: \"\(id)\"}) { desiredStatus costPerHr } }").data("pod") as? [String: Any]
        XCTAssertEqual(pod?["desiredStatus"] as? String, "RUNNING")
        XCTAssertEqual(pod?["costPerHr"] as? Double ?? 0, 0.3, accuracy: 0.0001)
        XCTAssertEqual(try sim.pods().count, 1)
    }
}
