import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `start` of a stopped pod whose machine is full: a new pod on its network volume, or a start
/// with zero GPUs to copy the data off. The first needs REST v2 (volumes), the second GraphQL
/// (v2's start takes no GPU count), so these run once, with `AUTOPOD_API=auto`.
final class FullHostEndToEndTests: EndToEndCase {
    override class var runsOnEveryAPI: Bool { false }

    override func setUpWithError() throws {
        try super.setUpWithError()
        cli.environment["AUTOPOD_API"] = "auto"
    }

    private func only() throws -> (name: String, id: String) {
        let first = try XCTUnwrap(try listJSON().first)
        return (try XCTUnwrap(first["name"] as? String), try XCTUnwrap(first["id"] as? String))
    }

    /// Stops the pod and gives its machine's GPUs to someone else.
    private func stopOnAFullMachine(_ name: String, _ id: String) throws {
        XCTAssertEqual(try cli.run(["stop", name]).status, 0)
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/host", ["busy": true]).status, 200)
    }

    func testAPodOnANetworkVolumeMovesToANewPodOnThatVolume() throws {
        XCTAssertEqual(try cli.run(["volume", "create", "data", "--size", "20", "--region", "EU-RO-1"]).status, 0)
        try connect(["--gpu", "a40", "--volume-id", "data"])
        let (name, id) = try only()
        XCTAssertEqual(try cli.run(["exec", name, "--", "echo on-the-volume > /workspace/f.txt"]).status, 0)
        try stopOnAFullMachine(name, id)

        let plain = try cli.run(["start", name])
        XCTAssertEqual(plain.status, 1, "\(plain)")
        XCTAssertTrue(plain.stderr.contains("not enough free GPUs"), plain.stderr)
        XCTAssertTrue(plain.stderr.contains("autopod start \(name) --new-pod"), plain.stderr)

        let moved = try cli.run(["start", name, "--new-pod"])
        XCTAssertEqual(moved.status, 0, "\(moved)")
        XCTAssertTrue(moved.stdout.contains("with network volume data, and killed \(name)"), moved.stdout)
        let (newName, newID) = try only()
        XCTAssertNotEqual(newID, id)
        let read = try cli.run(["exec", newName, "--", "cat /workspace/f.txt"])
        XCTAssertEqual(read.stdout, "on-the-volume\n", "\(read)")
    }

    func testAPodWithoutAVolumeStartsWithZeroGPUsToCopyItsDataOff() throws {
        try connect(["--gpu", "a40", "--volume", "20"])
        let (name, id) = try only()
        XCTAssertEqual(try cli.run(["exec", name, "--", "echo keep-me > /workspace/f.txt"]).status, 0)
        try stopOnAFullMachine(name, id)

        let plain = try cli.run(["start", name])
        XCTAssertEqual(plain.status, 1, "\(plain)")
        XCTAssertTrue(plain.stderr.contains("autopod start \(name) --zero-gpus"), plain.stderr)
        XCTAssertEqual(try cli.run(["start", name, "--new-pod"]).status, 1, "a new pod without the volume's data")

        let started = try cli.run(["start", name, "--zero-gpus"])
        XCTAssertEqual(started.status, 0, "\(started)")
        XCTAssertTrue(started.stdout.contains("with no GPU"), started.stdout)
        XCTAssertTrue(started.stdout.contains("autopod kill \(name)"), started.stdout)
        let gpuCount = try sim.client.graphQL("query { pod(input: {podId: \"\(id)\"}) { gpuCount desiredStatus } }").data("pod") as? [String: Any]
        XCTAssertEqual(gpuCount?["gpuCount"] as? Int, 0)
        var read = ProcessResult(status: -1, stdout: "", stderr: "")
        try eventually("the data can be read", timeout: 60) {
            read = try cli.run(["exec", name, "--", "cat /workspace/f.txt"])
            return read.status == 0
        }
        XCTAssertEqual(read.stdout, "keep-me\n", "\(read)")
    }
}
