import Foundation
import RunPodSim
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// What a program on a pod needs to look after the pod, as a RunPod pod offers it: the API
/// reachable from inside the pod with the pod's own scoped key, a clock the tests can move
/// (so an hour passes in a moment, for the pod's tools as for its billing), and the pod's own
/// CPU accounting. (The volume that outlives stop and start: PodFilesystemTests.)
final class PodSelfServiceTests: SimulatorTestCase {
    private var key = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        key = try makeUserKey()
        try registerAccountKey(try publicKey(key))
    }

    /// Runs `command` on the pod over SSH (the pod's environment, as RunPod's sshd gives it).
    private func run(_ id: String, _ command: String) throws -> String {
        let port = try client.waitForSSHPort(id)
        let ssh = try XCTUnwrap(SSHProbe(port: port), "no SSH on pod \(id)")
        XCTAssertTrue(ssh.authenticate(privateKey: key))
        return try XCTUnwrap(ssh.exec(command), "exec failed on pod \(id)")
    }

    private func status(_ id: String) throws -> String? {
        try client.simPod(id)["desiredStatus"] as? String
    }

    func testThePodsKeyActsOnItsPodAloneFromInsideThePod() throws {
        let mine = try client.createPod(name: "self")
        let other = try client.createPod(name: "other")
        _ = try client.waitForSSHPort(other)
        let curl = #"curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $RUNPOD_API_KEY""#
        let probe = """
            echo "own=$(\(curl) "$RUNPOD_API_BASE_URL/v2/pods/$RUNPOD_POD_ID")"
            echo "other=$(\(curl) "$RUNPOD_API_BASE_URL/v2/pods/\(other)")"
            echo "stopother=$(\(curl) -X POST -H 'Content-Type: application/json' -d '{"action":"stop"}' "$RUNPOD_API_BASE_URL/v2/pods/\(other)/action")"
            echo "graphql=$(\(curl) -H 'Content-Type: application/json' -d '{"query":"{ myself { id } }"}' "$RUNPOD_API_BASE_URL/graphql")"
            echo "base=$RUNPOD_API_BASE_URL"
            """
        let output = try run(mine, probe)
        XCTAssertTrue(output.contains("own=200"), output)
        XCTAssertTrue(output.contains("other=404"), "a pod key read another pod: \(output)")
        XCTAssertTrue(output.contains("stopother=404"), "a pod key acted on another pod: \(output)")
        XCTAssertTrue(output.contains("graphql=200"), output)
        if sim.usesNamespaces {
            // Not the simulator's loopback address, which a pod's namespace cannot reach.
            XCTAssertFalse(output.contains("base=http://127.0.0.1"), output)
        }
        XCTAssertEqual(try status(other), "RUNNING")

        // The pod stops itself through the API, as a watchdog on it would.
        let stop =
            #"curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $RUNPOD_API_KEY" -H 'Content-Type: application/json' -d '{"action":"stop"}' "$RUNPOD_API_BASE_URL/v2/pods/$RUNPOD_POD_ID/action""#
        let port = try client.waitForSSHPort(mine)
        let ssh = try XCTUnwrap(SSHProbe(port: port))
        XCTAssertTrue(ssh.authenticate(privateKey: key))
        _ = ssh.exec(stop)
        XCTAssertTrue(SimulatorClient.waitUntil(timeout: 15) { (try? self.status(mine)) == "EXITED" }, "the pod could not stop itself")
        XCTAssertEqual(try status(other), "RUNNING")
    }

    func testAdvancingTheClockMovesUptimeBillingAndThePodsClock() throws {
        let id = try client.createPod(name: "clock")
        _ = try client.waitForSSHPort(id)
        let before = try XCTUnwrap(try podObject(id, fields: "runtime { uptimeInSeconds }")?["runtime"] as? [String: Any])
        XCTAssertLessThan(before["uptimeInSeconds"] as? Int ?? .max, 3600)

        let reply = try client.control("POST", "/_sim/clock", ["advanceSeconds": 7200])
        XCTAssertEqual(reply.status, 200, reply.text)
        let ahead = try XCTUnwrap(reply.json?["aheadSeconds"] as? Double)
        XCTAssertGreaterThanOrEqual(ahead, 7200)
        XCTAssertEqual(try client.control("POST", "/_sim/clock", ["advanceSeconds": -5]).status, 400, "the clock went back")

        let after = try XCTUnwrap(try podObject(id, fields: "runtime { uptimeInSeconds }")?["runtime"] as? [String: Any])
        XCTAssertGreaterThanOrEqual(after["uptimeInSeconds"] as? Int ?? 0, 7200)

        // RunPod's billing charges the two hours the pod now ran (A40 secure: $0.40/hr).
        let billing = try RESTTestClient(baseURL: sim.baseURL, apiKey: sim.apiKey)
            .get("/v2/billing/pods?podId=\(id)&bucketSize=day&lastN=2")
        let records = try XCTUnwrap(billing.json?["records"] as? [[String: Any]], billing.text)
        let gpu = records.compactMap { $0["gpuAmount"] as? Double }.reduce(0, +)
        XCTAssertGreaterThanOrEqual(gpu, 0.79, billing.text)

        // The pod reads the same time from its clock file, with nothing but sh and date.
        let podNow = try run(id, #"read -r r s m < "$RUNPOD_SIM_CLOCK"; echo $(( s + ($(date +%s) - r) * m / 1000 ))"#)
        let podSeconds = try XCTUnwrap(Double(podNow.trimmingCharacters(in: .whitespacesAndNewlines)), podNow)
        XCTAssertGreaterThanOrEqual(podSeconds, Date().timeIntervalSince1970 + 7199)

        // A faster clock: a simulated minute per real second from now on.
        let faster = try client.control("POST", "/_sim/clock", ["scale": 60])
        XCTAssertEqual(faster.json?["scale"] as? Double, 60)
        let clockFile = try XCTUnwrap(try client.simPod(id)["clockFile"] as? String)
        let text = try String(contentsOfFile: clockFile, encoding: .utf8)
        XCTAssertTrue(text.hasSuffix(" 60000\n"), text)
    }

    func testAPodsCPUIsCountedInItsOwnGroup() throws {
        try XCTSkipUnless(getuid() == 0, "a pod's CPU group needs root")
        let busy = try client.createPod(name: "busy")
        let quiet = try client.createPod(name: "quiet")
        _ = try client.waitForSSHPort(quiet)
        let busyGroup = try XCTUnwrap(try client.simPod(busy)["cgroup"] as? String)
        let quietGroup = try XCTUnwrap(try client.simPod(quiet)["cgroup"] as? String)
        XCTAssertNotEqual(busyGroup, quietGroup)
        let usage = { (group: String) -> Int in
            let file = FileManager.default.fileExists(atPath: group + "/cpuacct.usage") ? "/cpuacct.usage" : "/cpu.stat"
            let text = (try? String(contentsOfFile: group + file, encoding: .utf8)) ?? ""
            if file == "/cpu.stat" {
                let line = text.split(separator: "\n").first { $0.hasPrefix("usage_usec ") }
                return (line?.split(separator: " ").last).flatMap { Int($0) }.map { $0 * 1000 } ?? -1
            }
            return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }
        let quietBefore = usage(quietGroup)
        let busyBefore = usage(busyGroup)
        // The pod sees its own group in /proc/self/cgroup, as a container does.
        let output = try run(busy, #"cat /proc/self/cgroup; end=$(( $(date +%s) + 2 )); while [ "$(date +%s)" -lt $end ]; do :; done; echo done"#)
        XCTAssertTrue(output.contains(URL(fileURLWithPath: busyGroup).lastPathComponent), output)
        XCTAssertGreaterThan(usage(busyGroup) - busyBefore, 200_000_000, "a second of busy loop was not counted in the pod's group")
        XCTAssertLessThan(usage(quietGroup) - quietBefore, usage(busyGroup) - busyBefore)

        // What a pod starts in a session of its own goes when the pod stops, wherever it runs.
        let pid = try run(busy, "setsid sleep 3600 < /dev/null > /dev/null 2>&1 & echo $!")
        let sleeper = try XCTUnwrap(Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)), pid)
        XCTAssertEqual(kill(sleeper, 0), 0)
        _ = try client.graphQL("mutation { podStop(input: {podId: \"\(busy)\"}) { id } }")
        XCTAssertTrue(SimulatorClient.waitUntil(timeout: 10) { kill(sleeper, 0) != 0 }, "a setsid'd process outlived its pod")
        XCTAssertFalse(FileManager.default.fileExists(atPath: busyGroup), "the stopped pod's group was left behind")
    }
}
