import Foundation
import TestSupport
import XCTest

/// list, info, stop, start, kill and gpus against runpod-sim, with their --json.
final class PodCommandsEndToEndTests: EndToEndCase {
    func testLifecycleWithJSON() throws {
        try connect(["--gpu", "A40"])
        let pod = try XCTUnwrap(try listJSON().first)
        let id = try XCTUnwrap(pod["id"] as? String)
        let name = try XCTUnwrap(pod["name"] as? String)
        XCTAssertEqual(pod["status"] as? String, "RUNNING")
        XCTAssertNotNil(pod["sshPort"] as? Int)

        let info = try XCTUnwrap(try cli.json(["info", String(id.prefix(6))]) as? [String: Any])
        XCTAssertEqual(info["name"] as? String, name)
        XCTAssertEqual(info["gpuDisplayName"] as? String, "A40")
        let panel = try cli.run(["info"])
        XCTAssertEqual(panel.status, 0, "\(panel)")
        XCTAssertTrue(panel.stdout.contains("root@127.0.0.1 -p"), panel.stdout)

        let stopped = try XCTUnwrap(try cli.json(["stop", name]) as? [String: Any])
        XCTAssertEqual(stopped["status"] as? String, "STOPPED")
        XCTAssertEqual(try sim.pods().first?["desiredStatus"] as? String, "EXITED")
        XCTAssertEqual(try listJSON().first?["status"] as? String, "STOPPED")

        let started = try XCTUnwrap(try cli.json(["start", name]) as? [String: Any])
        XCTAssertEqual(started["action"] as? String, "start")
        XCTAssertEqual(try sim.pods().first?["desiredStatus"] as? String, "RUNNING")
        let intervals = try XCTUnwrap(try listJSON().first?["intervals"] as? [[String: Any]])
        XCTAssertEqual(intervals.count, 2, "a stop and a start make two running intervals")

        let refused = try cli.run(["kill", name])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("--yes"), refused.stderr)
        XCTAssertEqual(try sim.livePods().count, 1)

        let killed = try XCTUnwrap(try cli.json(["kill", "--yes", name]) as? [String: Any])
        XCTAssertEqual(killed["status"] as? String, "TERMINATED")
        XCTAssertEqual(try sim.pods().first?["terminated"] as? Bool, true)
        XCTAssertEqual(try listJSON().count, 0)
        XCTAssertEqual(try listJSON(all: true).first?["status"] as? String, "TERMINATED")
        XCTAssertNotNil(try listJSON(all: true).first?["terminatedAt"] as? String)
    }

    func testUtilisationInInfoListAndJSON() throws {
        try connect(["--gpu", "A40"])
        let id = try XCTUnwrap(try listJSON().first?["id"] as? String)
        try sim.client.setGPUUtilisation(id, util: 80, memoryUtil: 40)
        let info = try XCTUnwrap(try cli.json(["info", id]) as? [String: Any])
        let utilization = try XCTUnwrap(info["utilization"] as? [String: Any], "\(info)")
        let gpus = try XCTUnwrap(utilization["gpus"] as? [[String: Any]])
        XCTAssertEqual(gpus.first?["util"] as? Int, 80)
        XCTAssertEqual(gpus.first?["memoryUtil"] as? Int, 40)
        XCTAssertNotNil(utilization["cpu"] as? Int)
        XCTAssertNotNil(utilization["memory"] as? Int)
        let panel = try cli.run(["info", id])
        XCTAssertTrue(panel.stdout.contains("gpu util") && panel.stdout.contains("80%"), panel.stdout)
        XCTAssertTrue(panel.stdout.contains("memory 40%"), panel.stdout)
        XCTAssertTrue(panel.stdout.contains("cpu util"), panel.stdout)

        // REST v2 lists utilisation with the pods; GraphQL's list has none, and no column for it.
        let table = try cli.run(["list"])
        XCTAssertEqual(table.status, 0, "\(table)")
        XCTAssertEqual(table.stdout.contains("GPU UTIL"), onREST, table.stdout)
        XCTAssertEqual(try listJSON().first?["utilization"] != nil, onREST)
        if onREST { XCTAssertTrue(table.stdout.contains("80%"), table.stdout) }
    }

    func testStartOnABusyHostExplainsWhatToDo() throws {
        try connect(["--gpu", "A40"])
        let name = try XCTUnwrap(try listJSON().first?["name"] as? String)
        XCTAssertEqual(try cli.run(["stop", name]).status, 0)
        // The pod's machine has no free GPU any more.
        try sim.setStock("NVIDIA A40", "None")
        let result = try cli.run(["start", name])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("not enough free GPUs"), result.stderr)
        XCTAssertTrue(result.stderr.contains("wait and retry"), result.stderr)
        XCTAssertTrue(result.stderr.contains("autopod kill \(name)"), result.stderr)
        // Kill deletes the volume; nothing can be copied off a pod that cannot start (issue 17 item 15).
        XCTAssertTrue(result.stderr.contains("Kill deletes the pod's volume"), result.stderr)
        XCTAssertEqual(try listJSON().first?["status"] as? String, "STOPPED")
    }

    func testStopStartAndKillWhoseRepliesAreLostStillSucceed() throws {
        try connect(["--gpu", "A40"])
        let name = try XCTUnwrap(try listJSON().first?["name"] as? String)
        try addFault(on: .stop, ["status": 500, "count": 1, "afterCommit": true])
        let stopped = try cli.run(["stop", name])
        XCTAssertEqual(stopped.status, 0, "\(stopped)")
        XCTAssertEqual(try sim.pods().first?["desiredStatus"] as? String, "EXITED")
        try addFault(on: .resume, ["status": 500, "count": 1, "afterCommit": true])
        let started = try cli.run(["start", name])
        XCTAssertEqual(started.status, 0, "\(started)")
        XCTAssertEqual(try sim.pods().first?["desiredStatus"] as? String, "RUNNING")
        try addFault(on: .terminate, ["status": 500, "count": 1, "afterCommit": true])
        let killed = try cli.run(["kill", "--yes", name])
        XCTAssertEqual(killed.status, 0, "\(killed)")
        XCTAssertEqual(try sim.pods().first?["terminated"] as? Bool, true)
        XCTAssertEqual(try listJSON(all: true).first?["status"] as? String, "TERMINATED")
    }

    func testCostIsPriceTimesMeasuredRunningTime() throws {
        try connect(["--gpu", "A40", "--gpu-count", "2"])
        Thread.sleep(forTimeInterval: 1.5)
        let name = try XCTUnwrap(try listJSON().first?["name"] as? String)
        XCTAssertEqual(try cli.run(["stop", name]).status, 0)
        let pod = try XCTUnwrap(try listJSON().first)
        let price = try XCTUnwrap(pod["pricePerHour"] as? Double)
        let seconds = try XCTUnwrap(pod["runningSeconds"] as? Double)
        let compute = try XCTUnwrap(pod["computeCost"] as? Double)
        let cost = try XCTUnwrap(pod["costSoFar"] as? Double)
        XCTAssertEqual(price, 0.80, accuracy: 0.0001, "2 × A40 on SECURE")
        XCTAssertGreaterThan(seconds, 1.5)
        XCTAssertEqual(compute, price * seconds / 3600, accuracy: 0.0002)
        XCTAssertEqual(cost, compute + (try XCTUnwrap(pod["storageCost"] as? Double)), accuracy: 0.0002)
        // Stopped: no more running time accrues.
        Thread.sleep(forTimeInterval: 1.1)
        XCTAssertEqual(try XCTUnwrap(try listJSON().first?["runningSeconds"] as? Double), seconds, accuracy: 0.1)
    }

    func testPodGoneFromTheAccountIsMarkedTerminated() throws {
        try connect(["--gpu", "A40"])
        let id = try XCTUnwrap(try listJSON().first?["id"] as? String)
        // Terminate it behind autopod's back.
        let reply = try sim.graphQL("mutation($id: String!) { podTerminate(input: {podId: $id}) }", variables: ["id": id])
        XCTAssertNil(reply["errors"])
        XCTAssertEqual(try listJSON().count, 0)
        let all = try listJSON(all: true)
        XCTAssertEqual(all.first?["status"] as? String, "TERMINATED")
        let intervals = try XCTUnwrap(all.first?["intervals"] as? [[String: Any]])
        XCTAssertNotNil(intervals.last?["end"] as? String, "the open interval is closed")
    }

    func testListShowsRecordedPodsWhenRunPodIsUnreachable() throws {
        try connect(["--gpu", "A40"])
        let id = try XCTUnwrap(try listJSON().first?["id"] as? String)
        sim.stop()
        let result = try cli.run(["list", "--json"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stderr.contains("could not be reached"), result.stderr)
        let pods = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(pods.compactMap { $0["id"] as? String }, [id])
    }

    func testCorruptPodsFileIsReportedAndLeftIntact() throws {
        let garbage = Data("{\"version\": 1, \"pods\": [ oops".utf8)
        try garbage.write(to: podsFile)
        for arguments in [["list"], ["info", "x"], ["kill", "--yes", "x"], ["connect", "--no-shell", "--gpu", "A40"]] {
            let result = try cli.run(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments): \(result)")
            XCTAssertTrue(result.stderr.contains(podsFile.path), "\(arguments): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("not valid JSON"), "\(arguments): \(result.stderr)")
        }
        XCTAssertEqual(try Data(contentsOf: podsFile), garbage)
        XCTAssertEqual(try sim.pods().count, 0, "nothing is created when the state cannot be recorded")
    }

    /// pods.json is decoded while RunPod is asked: its error still comes first when both fail.
    func testCorruptPodsFileIsReportedEvenWhenRunPodIsUnreachable() throws {
        try Data("{\"version\": 1, \"pods\": [ oops".utf8).write(to: podsFile)
        sim.stop()
        for arguments in [["list", "--json"], ["list"]] {
            let result = try cli.run(arguments)
            XCTAssertEqual(result.status, 1, "\(arguments): \(result)")
            XCTAssertTrue(result.stderr.contains("not valid JSON"), "\(arguments): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("could not be reached"), "\(arguments): \(result.stderr)")
        }
    }

    func testWrongKeyIsAClearFailure() throws {
        cli.environment["RUNPOD_API_KEY"] = "rpa_WRONGWRONGWRONGWRONGWRONG"
        for arguments in [["list"], ["gpus"], ["connect", "--no-shell"]] {
            let result = try cli.run(arguments)
            XCTAssertEqual(result.status, 1, "\(result)")
            XCTAssertTrue(result.stderr.contains("refused the API key"), result.stderr)
            XCTAssertFalse((result.stdout + result.stderr).contains("WRONGWRONG"), "the key must not be echoed")
        }
    }

    func testMissingKeySaysHowToSetOne() throws {
        cli.environment.removeValue(forKey: "RUNPOD_API_KEY")
        let result = try cli.run(["list"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("RUNPOD_API_KEY"), result.stderr)
        XCTAssertTrue(result.stderr.contains("autopod config init"), result.stderr)
    }

    func testQueriesRetryThroughServerErrors() throws {
        try sim.addFault(["status": 500, "count": 2])
        let types = try XCTUnwrap(try cli.json(["gpus"]) as? [[String: Any]])
        XCTAssertTrue(types.contains { $0["id"] as? String == "NVIDIA A40" })
        try sim.addFault(["status": 503, "count": 2])
        XCTAssertEqual(try listJSON().count, 0)
    }

    func testGpusHidesTypesWithoutStockUnlessAll() throws {
        try sim.setStock("NVIDIA A40", "None")
        let shown = try XCTUnwrap(try cli.json(["gpus"]) as? [[String: Any]]).compactMap { $0["id"] as? String }
        XCTAssertFalse(shown.contains("NVIDIA A40"))
        XCTAssertTrue(shown.contains("NVIDIA RTX A6000"))
        let all = try XCTUnwrap(try cli.json(["gpus", "--all"]) as? [[String: Any]])
        let a40 = try XCTUnwrap(all.first { $0["id"] as? String == "NVIDIA A40" })
        XCTAssertEqual(a40["stockStatus"] as? String, "None")
        XCTAssertEqual(a40["securePrice"] as? Double, 0.40)
        let table = try cli.run(["gpus", "--all"])
        XCTAssertTrue(table.stdout.contains("A40") && table.stdout.contains("48 GB"), table.stdout)
    }
}
