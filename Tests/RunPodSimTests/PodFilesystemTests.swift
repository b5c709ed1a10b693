import AutopodSupport
import Foundation
import RunPodSim
import TestSupport
import XCTest

/// A pod's files as RunPod's are: an SFTP subsystem (OpenSSH's `scp` and `sftp` work), RunPod's
/// /etc/rp_environment, a /workspace volume that survives stop and start and goes with
/// terminate, a container disk that a restart resets, and the pod id as hostname. Driven with
/// OpenSSH's own clients, as a user of a RunPod pod would.
final class PodFilesystemTests: SimulatorTestCase {
    private var key = ""

    private func ssh(_ port: Int, _ command: String) throws -> ProcessResult {
        try ChildProcess.run(["/usr/bin/ssh"] + Self.clientOptions(key: key) + ["-p", "\(port)", "root@127.0.0.1", command])
    }

    static func clientOptions(key: String) -> [String] {
        [
            "-i", key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "BatchMode=yes",
        ]
    }

    func testVolumeEnvironmentFileHostnameAndSFTP() throws {
        try XCTSkipUnless(sim.usesNamespaces, "a pod's own root and hostname need root (namespaces)")
        key = try makeUserKey()
        try registerAccountKey(try publicKey(key))
        let id = try client.createPod(name: "files")
        var port = try client.waitForSSHPort(id)
        var details = try client.simPod(id)
        let volume = try XCTUnwrap(details["volume"] as? String)

        let hostname = try ssh(port, "hostname")
        XCTAssertEqual(hostname.stdout, "\(id)\n", hostname.stderr)
        let environment = try ssh(port, "cat /etc/rp_environment; . /etc/rp_environment; echo \"pod=$RUNPOD_POD_ID\"")
        XCTAssertTrue(environment.stdout.contains("export RUNPOD_POD_ID=\"\(id)\"\n"), environment.stdout)
        XCTAssertTrue(environment.stdout.contains("export PATH="), environment.stdout)
        XCTAssertTrue(environment.stdout.hasSuffix("pod=\(id)\n"), environment.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/etc/rp_environment"), "the host's /etc was written")

        // The volume is /workspace; anything else lands on the container disk, not the host.
        let wrote = try ssh(port, "echo kept > /workspace/kept.txt && echo gone > /root/ephemeral-\(id) && ls -d /workspace")
        XCTAssertEqual(wrote.status, 0, wrote.stderr)
        XCTAssertEqual(try String(contentsOfFile: volume + "/kept.txt", encoding: .utf8), "kept\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/root/ephemeral-\(id)"), "a pod wrote to the host's /root")

        // OpenSSH's scp (SFTP protocol since 9.0) and sftp both need the subsystem.
        let scratch = try makeTempDirectory(prefix: "pod-fs")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try Data("via scp\n".utf8).write(to: URL(fileURLWithPath: scratch + "/up.txt"))
        let scp = try ChildProcess.run(["/usr/bin/scp"] + Self.clientOptions(key: key) + ["-P", "\(port)", scratch + "/up.txt", "root@127.0.0.1:/workspace/up.txt"])
        XCTAssertEqual(scp.status, 0, scp.stderr)
        XCTAssertEqual(try String(contentsOfFile: volume + "/up.txt", encoding: .utf8), "via scp\n")
        let sftp = try ChildProcess.run(
            ["/usr/bin/sftp"] + Self.clientOptions(key: key) + ["-P", "\(port)", "-b", "-", "root@127.0.0.1"],
            input: "get /workspace/kept.txt \(scratch)/down.txt\n")
        XCTAssertEqual(sftp.status, 0, sftp.stderr)
        XCTAssertEqual(try String(contentsOfFile: scratch + "/down.txt", encoding: .utf8), "kept\n")

        // Stop and start: the volume stays, the container disk starts over.
        _ = try client.graphQL("mutation { podStop(input: {podId: \"\(id)\"}) { id } }")
        _ = try client.graphQL("mutation { podResume(input: {podId: \"\(id)\", gpuCount: 1}) { id } }")
        port = try client.waitForSSHPort(id)
        details = try client.simPod(id)
        XCTAssertEqual(details["volume"] as? String, volume)
        let after = try ssh(port, "cat /workspace/kept.txt; ls /root/ephemeral-\(id) 2>/dev/null || echo no-ephemeral")
        XCTAssertEqual(after.stdout, "kept\nno-ephemeral\n", after.stderr)

        // Terminate: the volume goes.
        let terminate = try client.graphQL("mutation { podTerminate(input: {podId: \"\(id)\"}) }")
        XCTAssertTrue(terminate.errors.isEmpty, terminate.text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: volume), "terminate left the volume behind")
    }

    func testBandwidthLimitPacesThePublicEndpoint() throws {
        key = try makeUserKey()
        try registerAccountKey(try publicKey(key))
        let id = try client.createPod(name: "paced")
        let port = try client.waitForSSHPort(id)
        let volume = try XCTUnwrap(try client.simPod(id)["volume"] as? String)
        try client.control("POST", "/_sim/pods/\(id)/bandwidth", ["bytesPerSecond": 1_000_000])
        XCTAssertEqual(try client.simPod(id)["bandwidth"] as? Int, 1_000_000)
        // 4 MB at 1 MB/s: the file is still growing a second in, which an unpaced copy on
        // loopback would have finished long before.
        let dir = try makeTempDirectory(prefix: "paced")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(repeating: 7, count: 4_000_000).write(to: URL(fileURLWithPath: dir + "/blob"))
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/usr/bin/scp")
        // Without namespaces the SFTP server starts in the volume (there is no /workspace).
        let remote = sim.usesNamespaces ? "/workspace/blob" : "blob"
        copy.arguments = Self.clientOptions(key: key) + ["-P", "\(port)", dir + "/blob", "root@127.0.0.1:\(remote)"]
        try copy.run()
        defer { if copy.isRunning { copy.terminate() } }
        let target = volume + "/blob"
        XCTAssertTrue(
            SimulatorClient.waitUntil(timeout: 20) {
                let size = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
                return size > 0
            }, "the copy never started")
        let early = (try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
        XCTAssertLessThan(early, 4_000_000, "the copy was not paced")
        copy.waitUntilExit()
        XCTAssertEqual(copy.terminationStatus, 0)
    }
}
