import Foundation
import TestSupport
import XCTest

/// `autopod connect` against runpod-sim: fallback, exactly-once create, naming, dry run.
final class ConnectEndToEndTests: EndToEndCase {
    static let capacityMessage =
        "There are no longer any instances available with the requested specifications. Please refresh and try again."

    func testFallsBackWhenTheFirstTypeHasNoStock() throws {
        try sim.setStock("NVIDIA A40", "None")
        let result = try connect(["--gpu", "A40,a6000", "--json"])
        XCTAssertTrue(result.stderr.contains("A40: skipped, no stock"), result.stderr)
        let ready = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(ready["status"] as? String, "RUNNING")
        XCTAssertEqual(ready["sshHost"] as? String, "127.0.0.1")
        XCTAssertNotNil(ready["sshPort"] as? Int)
        let pods = try sim.pods()
        XCTAssertEqual(pods.count, 1)
        XCTAssertEqual(pods.first?["gpuTypeId"] as? String, "NVIDIA RTX A6000")
        let listed = try listJSON()
        XCTAssertEqual(listed.count, 1)
        XCTAssertEqual(listed.first?["gpuTypeId"] as? String, "NVIDIA RTX A6000")
        XCTAssertEqual(listed.first?["status"] as? String, "RUNNING")
        XCTAssertEqual(listed.first?["createdByAutopod"] as? Bool, true)
        XCTAssertEqual(listed.first?["pricePerHour"] as? Double, 0.49)
        XCTAssertEqual(listed.first?["id"] as? String, pods.first?["id"] as? String)
    }

    func testFallsBackWhenCreateHitsCapacityDespiteStock() throws {
        try addFault(on: .create, ["status": capacityStatus, "count": 1, "message": Self.capacityMessage])
        let result = try connect(["--gpu", "A40", "--gpu", "RTX A5000"])
        XCTAssertTrue(result.stderr.contains("A40: RunPod had no machine free"), result.stderr)
        XCTAssertTrue(result.stderr.contains("RTX A5000: creating"), result.stderr)
        let pods = try sim.pods()
        XCTAssertEqual(pods.map { $0["gpuTypeId"] as? String }, ["NVIDIA RTX A5000"])
    }

    func testEveryTypeOutOfStockExplainsEachAndCreatesNothing() throws {
        try sim.setStock("NVIDIA A40", "None")
        try sim.setStock("NVIDIA RTX A6000", "None")
        let result = try cli.run(["connect", "--no-shell", "--gpu", "A40,A6000"])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("A40: no stock"), result.stderr)
        XCTAssertTrue(result.stderr.contains("RTX A6000: no stock"), result.stderr)
        XCTAssertEqual(try sim.pods().count, 0)
    }

    func testOtherErrorsStopTheFallback() throws {
        try addFault(on: .create, ["status": 400, "count": 1, "message": "Invalid image name."])
        let result = try cli.run(["connect", "--no-shell", "--gpu", "A40,A6000"])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("Invalid image name"), result.stderr)
        XCTAssertFalse(result.stderr.contains("RTX A6000: creating"), result.stderr)
        XCTAssertEqual(try sim.pods().count, 0)
    }

    func testLostCreateReplyStillMakesExactlyOnePod() throws {
        try addFault(on: .create, ["status": 500, "count": 1, "afterCommit": true])
        let result = try connect(["--gpu", "A40,A6000"])
        XCTAssertTrue(result.stderr.contains("no confirmation"), result.stderr)
        let pods = try sim.pods()
        XCTAssertEqual(pods.count, 1, "\(pods)")
        XCTAssertEqual(pods.first?["gpuTypeId"] as? String, "NVIDIA A40")
        let listed = try listJSON()
        XCTAssertEqual(listed.map { $0["id"] as? String }, pods.map { $0["id"] as? String })
    }

    func testCreateDelayedPastTheTimeoutMakesExactlyOnePod() throws {
        try addFault(on: .create, ["delayMs": 3000, "count": 1])
        let result = try cli.run(["connect", "--no-shell", "--gpu", "A40,A6000"], environment: ["AUTOPOD_API_TIMEOUT": "1"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let pods = try sim.pods()
        XCTAssertEqual(pods.count, 1, "\(pods)")
        XCTAssertEqual(try listJSON().count, 1)
    }

    func testDryRunCreatesNothing() throws {
        let result = try cli.run(["connect", "--dry-run", "--gpu", "A40,4090", "--gpu-count", "2"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stdout.contains("A40"), result.stdout)
        XCTAssertTrue(result.stdout.contains("RTX 4090"), result.stdout)
        // 2 × A40 on SECURE at $0.40 each: $0.80/hr, $19.20/day.
        XCTAssertTrue(result.stdout.contains("$0.800/hr"), result.stdout)
        XCTAssertTrue(result.stdout.contains("$19.20/day"), result.stdout)
        let plan = try XCTUnwrap(try cli.json(["connect", "--dry-run", "--gpu", "A40,4090", "--gpu-count", "2"]) as? [String: Any])
        XCTAssertEqual(plan["estimatedPerHour"] as? Double, 0.8)
        XCTAssertEqual((plan["candidates"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, ["NVIDIA A40", "NVIDIA GeForce RTX 4090"])
        XCTAssertEqual(try sim.pods().count, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: podsFile.path))
    }

    func testUnknownAndAmbiguousGPUNamesListCandidates() throws {
        let unknown = try cli.run(["connect", "--dry-run", "--gpu", "B200"])
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(unknown.stderr.contains("no GPU type is called \"B200\""), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("RTX A6000"), unknown.stderr)
        let ambiguous = try cli.run(["connect", "--dry-run", "--gpu", "H100"])
        XCTAssertEqual(ambiguous.status, 1)
        XCTAssertTrue(ambiguous.stderr.contains("H100 SXM"), ambiguous.stderr)
        XCTAssertTrue(ambiguous.stderr.contains("H100 PCIe"), ambiguous.stderr)
    }

    func testNamesContinueAfterTheDaysExistingPods() throws {
        let day = Self.today()
        // autopod already made 007 today (now terminated), and someone made 010 on the account.
        let seeded = """
            {"version": 1, "pending": [], "pods": [{"id": "oldpod000001", "name": "autopod-\(day)-007",
            "gpuTypeId": "NVIDIA A40", "gpuDisplayName": "A40", "gpuCount": 1, "cloudType": "SECURE",
            "pricePerHour": 0.4, "createdAt": "2026-01-01T00:00:00.000Z", "intervals": [],
            "createdByAutopod": true, "terminatedAt": "2026-01-01T01:00:00.000Z"}]}
            """
        try Data(seeded.utf8).write(to: podsFile)
        let foreignID = try sim.createPodDirectly(name: "autopod-\(day)-010")
        try connect(["--gpu", "A40"])
        let names = try listJSON().map { $0["name"] as? String }
        XCTAssertTrue(names.contains("autopod-\(day)-011"), "\(names)")
        let foreign = try listJSON().first { $0["id"] as? String == foreignID }
        XCTAssertEqual(foreign?["createdByAutopod"] as? Bool, false, "a pod autopod did not create is marked as such")
        XCTAssertEqual(try listJSON(all: true).count, 3)
    }

    func testTwoConnectsAtOnceAreBothRecordedWithDifferentNames() throws {
        let first = try cli.start(["connect", "--no-shell", "--gpu", "A40"])
        let second = try cli.start(["connect", "--no-shell", "--gpu", "A40"])
        let results = [first.wait(), second.wait()]
        for result in results { XCTAssertEqual(result.status, 0, "\(result)") }
        let pods = try sim.pods()
        XCTAssertEqual(pods.count, 2)
        let names = Set(pods.compactMap { $0["name"] as? String })
        XCTAssertEqual(names.count, 2, "\(names)")
        let listed = try listJSON()
        XCTAssertEqual(Set(listed.compactMap { $0["name"] as? String }), names)
        XCTAssertTrue(listed.allSatisfy { $0["createdByAutopod"] as? Bool == true })
    }

    // Issue 17, 8: what is known at the start is said at the start.

    func testAShellWithoutATerminalIsRefusedBeforeAnythingIsCreated() throws {
        // The runner's stdin is /dev/null, as in a script or CI job.
        let result = try cli.run(["connect", "--gpu", "A40"])
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("stdin is not a terminal"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--no-shell"), result.stderr)
        XCTAssertFalse(result.stderr.contains("creating"), result.stderr)
        XCTAssertEqual(try sim.pods().count, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: podsFile.path), "not even a name is reserved")
    }

    // Issue 17, 9: a create that was never confirmed does not hold its name for 15 minutes.

    func testAnUnconfirmedCreateDoesNotBlockItsName() throws {
        try addFault(on: .create, ["status": 500, "count": 1])
        let first = try cli.run(["connect", "--no-shell", "--gpu", "A40", "--name", "wt1"])
        XCTAssertEqual(first.status, 1, "\(first)")
        XCTAssertTrue(first.stderr.contains("did not confirm"), first.stderr)
        XCTAssertEqual(try sim.pods().count, 0)

        let second = try cli.run(["connect", "--no-shell", "--gpu", "A40", "--name", "wt1"])
        XCTAssertEqual(second.status, 0, "\(second)")
        XCTAssertTrue(second.stderr.contains("the name is free again"), second.stderr)
        XCTAssertEqual(try sim.pods().compactMap { $0["name"] as? String }, ["wt1"])
        XCTAssertEqual(try listJSON().compactMap { $0["name"] as? String }, ["wt1"])
    }

    func testAReservationWhosePodAppearedAfterAllIsRecordedAndSaidSo() throws {
        // The create is answered after 3 s, and autopod is killed before: the pod exists,
        // reserved in pods.json by a process that is gone.
        try addFault(on: .create, ["delayMs": 3000, "count": 1])
        let running = try cli.start(["connect", "--no-shell", "--gpu", "A40", "--name", "wt1"])
        try eventually("the create to be sent") { running.stderrSoFar.contains("creating") }
        running.terminate()
        try eventually("the first signal to be taken") { running.stderrSoFar.contains("received") }
        running.terminate()
        XCTAssertEqual(running.wait(timeout: .seconds(30)).status, 130)
        try eventually("the delayed create to place the pod") { try sim.livePods().count == 1 }

        let again = try cli.run(["connect", "--no-shell", "--gpu", "A40", "--name", "wt1"])
        XCTAssertEqual(again.status, 1, "\(again)")
        XCTAssertTrue(again.stderr.contains("did create wt1"), again.stderr)
        XCTAssertTrue(again.stderr.contains("a pod named wt1 already exists"), again.stderr)
        XCTAssertEqual(try sim.pods().count, 1, "no second pod")
        let listed = try listJSON()
        XCTAssertEqual(listed.compactMap { $0["name"] as? String }, ["wt1"])
        XCTAssertEqual(listed.first?["createdByAutopod"] as? Bool, true)
    }
}
