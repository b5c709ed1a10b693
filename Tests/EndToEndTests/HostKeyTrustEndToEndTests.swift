import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// The ways around host-key pinning that issue 11 found, each tried as an attacker (or an
/// honest second machine) would, through the built binary against runpod-sim pods whose host
/// keys the simulator keeps (`keep-host-key`) or swaps without a restart (`rekey`).
final class HostKeyTrustEndToEndTests: EndToEndCase {
    override class var stopsTunnelsAfterEachTest: Bool { true }

    // MARK: - tests

    /// A stop and start that keeps the key used to leave every later swap accepted.
    func testSameKeyRestartFollowedByASwapIsRefused() throws {
        let pod = try createPod()
        XCTAssertEqual(try exec(pod.name).status, 0)
        try sshd(pod.id, "keep-host-key")
        XCTAssertEqual(try cli.run(["stop", pod.name]).status, 0)
        XCTAssertEqual(try cli.run(["start", pod.name]).status, 0)
        try waitUntilExecWorks(pod.name)
        let before = knownHosts

        try sshd(pod.id, "rekey")
        let swapped = try exec(pod.name)
        XCTAssertNotEqual(swapped.status, 0, "a key swap with no restart since the last check must be refused: \(swapped)")
        XCTAssertTrue(swapped.stderr.contains("--accept-host-key SHA256:"), swapped.stderr)
        XCTAssertEqual(knownHosts, before, "the refused key is not pinned")
    }

    /// `--accept-new-host-key` lets one swap in, then a tunnel checks as usual.
    func testAcceptNewHostKeyAcceptsExactlyOneSwap() throws {
        let pod = try createPod()
        XCTAssertEqual(try exec(pod.name).status, 0)
        let port = try TunnelEndToEndTests.freePort()
        let tunnel = try startTunnel([pod.name, "\(port):8888", "--accept-new-host-key"])

        try sshd(pod.id, "rekey")
        try eventually("the tunnel accepts the first swap and reconnects", timeout: 60) {
            tunnel.stderrSoFar.contains("you allowed it") && (try? TunnelEndToEndTests.httpGet(port, timeout: 5)) != nil
        }
        XCTAssertTrue(tunnel.isRunning, tunnel.stderrSoFar)

        try sshd(pod.id, "rekey")
        let result = tunnel.wait(timeout: .seconds(60))
        XCTAssertEqual(result.status, 1, "the second swap ends the tunnel: \(result)")
        XCTAssertTrue(result.stderr.contains("has changed"), result.stderr)
    }

    /// `--accept-host-key FP` accepts that key only.
    func testAcceptHostKeyAcceptsOnlyTheGivenFingerprint() throws {
        let pod = try createPod()
        XCTAssertEqual(try exec(pod.name).status, 0)
        try sshd(pod.id, "rekey")
        let wrong = try exec(pod.name, ["--accept-host-key", "SHA256:" + String(repeating: "A", count: 43)])
        XCTAssertNotEqual(wrong.status, 0, "\(wrong)")
        XCTAssertTrue(wrong.stderr.contains("does not match"), wrong.stderr)
        let presented = try fingerprint(pod.id)
        let right = try exec(pod.name, ["--accept-host-key", presented])
        XCTAssertEqual(right.status, 0, "\(right)")
        XCTAssertEqual(try exec(pod.name).status, 0, "the accepted key is now the pin")
    }

    /// A stop and start done from another machine (here: another AUTOPOD_HOME) is proven by the
    /// API's lastStartedAt: accepted once with a notice, and a running detached tunnel follows.
    func testRestartFromASecondHomeIsAcceptedOnceAndADetachedTunnelFollows() throws {
        let pod = try createPod()
        let port = try TunnelEndToEndTests.freePort()
        let started = try cli.run(["tunnel", "--detach", pod.name, "\(port):8888"], timeout: .seconds(60))
        XCTAssertEqual(started.status, 0, "\(started)")
        XCTAssertEqual(try TunnelEndToEndTests.httpGet(port), "runpod-sim pod \(pod.id) port 8888")

        let laptop = CLIRunner(apiBaseURL: sim.baseURL, apiKey: SimulatorProcess.apiKey)
        XCTAssertEqual(try laptop.run(["stop", pod.id]).status, 0)
        XCTAssertEqual(try laptop.run(["start", pod.id]).status, 0)

        try eventually("the detached tunnel follows the pod to its new key and port", timeout: 90) {
            (try? TunnelEndToEndTests.httpGet(port, timeout: 5)) == "runpod-sim pod \(pod.id) port 8888"
        }
        let log = try String(contentsOf: cli.home.appendingPathComponent("tunnels/\(pod.id).log"), encoding: .utf8)
        XCTAssertTrue(log.contains("RunPod reports that the pod started again"), log)
        XCTAssertTrue(try exec(pod.name).status == 0)

        // That restart let one key in; a swap now is refused.
        try sshd(pod.id, "rekey")
        let swapped = try exec(pod.name)
        XCTAssertNotEqual(swapped.status, 0, "\(swapped)")
        XCTAssertTrue(swapped.stderr.contains("has changed"), swapped.stderr)
    }

    /// A pin that cannot be read is an error naming the line, never a first contact.
    func testCorruptedPinIsAnErrorNotAFirstContact() throws {
        let pod = try createPod()
        XCTAssertEqual(try exec(pod.name).status, 0)
        let file = cli.home.appendingPathComponent("known_hosts")
        let broken =
            knownHosts.split(separator: "\n").map { line -> String in
                guard line.contains("autopod-pod=\(pod.id)") else { return String(line) }
                var fields = line.split(separator: " ").map(String.init)
                fields[2] = "AAAAbroken"
                return fields.joined(separator: " ")
            }.joined(separator: "\n") + "\n"
        try Data(broken.utf8).write(to: file)

        let result = try exec(pod.name)
        XCTAssertNotEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stderr.contains("Line 1 of known_hosts"), result.stderr)
        XCTAssertFalse(result.stderr.contains("First contact"), result.stderr)
        XCTAssertEqual(knownHosts, broken, "nothing is pinned over the broken line")
    }

    /// After `kill`, the pod's id keeps a tombstone: nothing is pinned for it again.
    func testKillLeavesATombstone() throws {
        let pod = try createPod()
        XCTAssertEqual(try exec(pod.name).status, 0)
        XCTAssertEqual(try cli.run(["kill", pod.name, "--yes"]).status, 0)
        let lines = knownHosts.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("autopod-pod=\(pod.id)") }.count, 1, knownHosts)
        XCTAssertTrue(lines.contains { $0.hasPrefix("# autopod-killed autopod-pod=\(pod.id) ") }, knownHosts)
    }

    /// Pod ids from a hostile API: a newline (a second known_hosts entry) and `../` (a file
    /// outside the home) are refused where they are parsed.
    func testHostilePodIDsNeitherPinNorWriteOutsideTheHome() throws {
        let outside = cli.home.deletingLastPathComponent()
        let before = Set(try FileManager.default.contentsOfDirectory(atPath: outside.path))
        for hostileID in ["abc123\n[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl autopod-pod=victim", "../../x"] {
            let server = try ScriptedHTTPServer(replies: [.init(status: 200, headers: ["Content-Type": "application/json"], body: Self.hostileReply(id: hostileID))])
            // The scripted server speaks GraphQL, whichever API this run of the suite is on.
            let fake = CLIRunner(apiBaseURL: server.url, apiKey: "rpa_fake", environment: ["AUTOPOD_HOME": cli.home.path, "AUTOPOD_API": "graphql"])
            for arguments in [["list"], ["exec", "evil", "--", "true"], ["tunnel", "evil", "18888:8888"]] {
                let result = try fake.run(arguments, timeout: .seconds(60))
                XCTAssertNotEqual(result.status, 0, "\(arguments) with id \(hostileID.debugDescription): \(result)")
                XCTAssertTrue(result.stderr.contains("not a RunPod id"), result.stderr)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: cli.home.appendingPathComponent("known_hosts").path), knownHosts)
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: outside.path)), before)
        let tunnels = (try? FileManager.default.contentsOfDirectory(atPath: cli.home.appendingPathComponent("tunnels").path)) ?? []
        XCTAssertEqual(tunnels, [], "no tunnel files for a refused id")
    }

    // MARK: - helpers

    private var knownHosts: String {
        (try? String(contentsOf: cli.home.appendingPathComponent("known_hosts"), encoding: .utf8)) ?? ""
    }

    private func createPod() throws -> (id: String, name: String) {
        try connect()
        let pod = try XCTUnwrap(try listJSON().first)
        return (try XCTUnwrap(pod["id"] as? String), try XCTUnwrap(pod["name"] as? String))
    }

    private func exec(_ pod: String, _ options: [String] = []) throws -> ProcessResult {
        try cli.run(["exec", pod] + options + ["--", "true"], timeout: .seconds(90))
    }

    private func waitUntilExecWorks(_ pod: String) throws {
        var last: ProcessResult?
        try eventually("the started pod answers exec", timeout: 60) {
            last = try exec(pod)
            return last?.status == 0
        }
        XCTAssertEqual(last?.status, 0, "\(String(describing: last))")
    }

    private func sshd(_ podID: String, _ action: String) throws {
        let reply = try sim.client.control("POST", "/_sim/pods/\(podID)/sshd", ["action": action])
        XCTAssertEqual(reply.status, 200, reply.text)
    }

    /// The pod's current host key fingerprint, as the simulator reports it.
    private func fingerprint(_ podID: String) throws -> String {
        try XCTUnwrap(try sim.client.simPod(podID)["hostKeyFingerprint"] as? String)
    }

    private func startTunnel(_ arguments: [String]) throws -> RunningProcess {
        let tunnel = try cli.start(["tunnel"] + arguments)
        backgroundProcesses.append(tunnel)
        try eventually("the tunnel comes up", timeout: 60) {
            !tunnel.isRunning || tunnel.stderrSoFar.contains("up: localhost:")
        }
        XCTAssertTrue(tunnel.isRunning, "the tunnel exited: \(tunnel.stderrSoFar)")
        return tunnel
    }

    /// One GraphQL reply that answers every query: a running pod named `evil` with `id`.
    static func hostileReply(id: String) -> String {
        let pod: [String: Any] = [
            "id": id, "name": "evil", "desiredStatus": "RUNNING", "costPerHr": 0.5, "gpuCount": 1,
            "imageName": "runpod/pytorch", "ports": "22/tcp",
            "machine": ["podHostId": "x", "gpuDisplayName": "A40", "gpuTypeId": "NVIDIA A40"],
            "runtime": [
                "uptimeInSeconds": 100,
                "ports": [["ip": "127.0.0.1", "isIpPublic": true, "privatePort": 22, "publicPort": 2222, "type": "tcp"]],
            ],
        ]
        let reply: [String: Any] = ["data": ["myself": ["pods": [pod], "id": "user"], "pod": pod]]
        return String(decoding: try! JSONSerialization.data(withJSONObject: reply), as: UTF8.self)
    }
}
