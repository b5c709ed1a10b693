import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Network volumes through the built binary: created, listed with their monthly cost and their
/// pods, mounted as /workspace by pods that see each other's files, refused removal while a pod
/// holds them, and a dry run that says where the pod must go. Volumes are REST v2's, so these
/// run once, with `AUTOPOD_API=auto` (v2 for volumes and pods, GraphQL where v2 has nothing).
final class VolumeEndToEndTests: EndToEndCase {
    override class var runsOnEveryAPI: Bool { false }

    override func setUpWithError() throws {
        try super.setUpWithError()
        cli.environment["AUTOPOD_API"] = "auto"
    }

    private func volumes() throws -> [[String: Any]] {
        try XCTUnwrap(try cli.json(["volume", "list", "--json"]) as? [[String: Any]])
    }

    private func onlyPod() throws -> String {
        try XCTUnwrap(try listJSON().first?["name"] as? String)
    }

    func testAVolumeOutlivesItsPodsAndCannotBeRemovedWhileInUse() throws {
        let created = try cli.run(["volume", "create", "data", "--size", "100", "--region", "EU-RO-1"])
        XCTAssertEqual(created.status, 0, "\(created)")
        XCTAssertTrue(created.stdout.contains("100 GB in EU-RO-1, $7.00/month"), created.stdout)
        var listed = try XCTUnwrap(try volumes().first)
        XCTAssertEqual(listed["sizeGB"] as? Int, 100)
        XCTAssertEqual(listed["dataCenterId"] as? String, "EU-RO-1")
        XCTAssertEqual(listed["monthlyCost"] as? Double ?? 0, 7.0, accuracy: 0.001)
        XCTAssertEqual(listed["pods"] as? [String], [])

        try connect(["--gpu", "a40", "--volume-id", "data"])
        let first = try onlyPod()
        let wrote = try cli.run(["exec", first, "--", "echo written-by-\(first) > /workspace/note.txt"])
        XCTAssertEqual(wrote.status, 0, "\(wrote)")
        listed = try XCTUnwrap(try volumes().first)
        XCTAssertEqual(listed["pods"] as? [String], [first])
        let table = try cli.run(["volume", "list"])
        XCTAssertTrue(table.stdout.contains("$7.00") && table.stdout.contains(first), table.stdout)
        let pods = try cli.run(["list"])
        XCTAssertTrue(pods.stdout.contains("1 network volume · 100 GB · $7.00/month"), pods.stdout)
        let cost = try cli.run(["cost"])
        XCTAssertTrue(cost.stdout.contains("now: 1 network volume · 100 GB · $7.00/month"), cost.stdout)
        let costJSON = try XCTUnwrap(try cli.json(["cost"]) as? [String: Any])
        let volumeCost = try XCTUnwrap(costJSON["networkVolumes"] as? [String: Any], "\(costJSON)")
        XCTAssertEqual(volumeCost["count"] as? Int, 1)
        XCTAssertEqual(volumeCost["sizeGB"] as? Int, 100)
        XCTAssertEqual(volumeCost["monthly"] as? Double, 7.0)

        let refused = try cli.run(["volume", "rm", "data", "--yes"])
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("in use by \(first)"), refused.stderr)
        XCTAssertEqual(try volumes().count, 1)

        XCTAssertEqual(try cli.run(["kill", first, "--yes"]).status, 0)
        try connect(["--gpu", "a40", "--volume-id", "data"])
        let second = try XCTUnwrap(try listJSON().first { $0["name"] as? String != first }?["name"] as? String)
        let read = try cli.run(["exec", second, "--", "cat /workspace/note.txt"])
        XCTAssertEqual(read.stdout, "written-by-\(first)\n", "\(read)")

        XCTAssertEqual(try cli.run(["kill", second, "--yes"]).status, 0)
        let removed = try cli.run(["volume", "rm", "data", "--yes"])
        XCTAssertEqual(removed.status, 0, "\(removed)")
        XCTAssertEqual(try volumes().count, 0)
    }

    func testADryRunOnAVolumeShowsTheDataCentreConstraint() throws {
        XCTAssertEqual(try cli.run(["volume", "create", "data", "--size", "50", "--region", "EU-RO-1"]).status, 0)
        // The 4090 is there on the community cloud only, which EU-RO-1 (secure) does not serve.
        try writeConfig(extra: ["cloudType": "ALL"])
        XCTAssertEqual(try sim.client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA GeForce RTX 4090", "stockStatus": "None", "cloudType": "SECURE"]).status, 200)
        let anywhere = try XCTUnwrap(try cli.json(["connect", "--dry-run", "--json", "--gpu", "4090"]) as? [String: Any])
        XCTAssertEqual((anywhere["candidates"] as? [[String: Any]])?.first?["stockStatus"] as? String, "High")
        let plan = try cli.run(["connect", "--dry-run", "--gpu", "4090,a40", "--volume-id", "data"])
        XCTAssertEqual(plan.status, 0, "\(plan)")
        XCTAssertTrue(plan.stdout.contains("skipped: no stock"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("only in EU-RO-1, the volume's data centre"), plan.stdout)
        XCTAssertTrue(plan.stdout.contains("network volume data (50 GB)"), plan.stdout)
        let json = try XCTUnwrap(try cli.json(["connect", "--dry-run", "--json", "--volume-id", "data"]) as? [String: Any])
        XCTAssertEqual(json["dataCenterId"] as? String, "EU-RO-1")
        XCTAssertTrue(try sim.pods().isEmpty, "a dry run created a pod")
    }
}
