@testable import AutopodCore
import Foundation
import XCTest

@testable import AutopodCLI

/// `--json` shapes: the keys scripts rely on, and the two encoders writing the same text.
final class JSONOutputTests: XCTestCase {
    private let created = Date(timeIntervalSince1970: 1_795_000_000)

    private func record(status: String, endpoint: PodEndpoint? = nil, open: Bool = false) -> PodRecord {
        PodRecord(
            id: "pod123abc", name: "autopod-2026-11-27-001", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 2,
            cloudType: .secure, pricePerHour: 0.88, createdAt: created,
            intervals: [RunningInterval(start: created, end: open ? nil : created.addingTimeInterval(5400))],
            endpoint: endpoint, imageName: "runpod/pytorch:2", lastStatus: status)
    }

    private func object(_ text: String) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    func testARunningPodHasItsEndpointAndItsCost() throws {
        let endpoint = PodEndpoint(host: "203.0.113.7", port: 40022)
        let view = PodView(record: record(status: "RUNNING", endpoint: endpoint, open: true), remote: nil, now: created.addingTimeInterval(3600))
        let json = try object(JSONOutput.encode(json: PodJSON(view).json))
        XCTAssertEqual(
            Set(json.keys),
            [
                "id", "name", "status", "gpuTypeId", "gpuDisplayName", "gpuCount", "cloudType", "pricePerHour", "costSoFar",
                "runningSeconds", "createdAt", "createdByAutopod", "intervals", "image", "sshHost", "sshPort", "computeCost",
                "storageCost", "stoppedCostPerDay", "storage",
            ])
        XCTAssertEqual(json["status"] as? String, "RUNNING")
        XCTAssertEqual(json["sshHost"] as? String, "203.0.113.7")
        XCTAssertEqual(json["sshPort"] as? Int, 40022)
        XCTAssertEqual(json["costSoFar"] as? Double, 0.88)
        XCTAssertEqual(json["runningSeconds"] as? Double, 3600)
        XCTAssertEqual(json["gpuCount"] as? Int, 2)
        XCTAssertEqual(json["createdAt"] as? String, "2026-11-18T11:06:40Z")
        XCTAssertEqual((json["intervals"] as? [[String: Any]])?.first?.keys.sorted(), ["start"])
    }

    func testAStoppedPodHasNoEndpointAndATerminatedOneSaysWhen() throws {
        var stopped = record(status: "EXITED", endpoint: PodEndpoint(host: "203.0.113.7", port: 40022))
        let json = try object(JSONOutput.encode(json: PodJSON(PodView(record: stopped, remote: nil, now: created)).json))
        XCTAssertEqual(json["status"] as? String, "STOPPED")
        XCTAssertNil(json["sshHost"])
        XCTAssertNil(json["terminatedAt"])
        XCTAssertEqual(json["runningSeconds"] as? Double, 5400)
        XCTAssertEqual(json["costSoFar"] as? Double, 1.32)
        XCTAssertEqual((json["intervals"] as? [[String: Any]])?.first?["end"] as? String, "2026-11-18T12:36:40Z")

        stopped.terminatedAt = created.addingTimeInterval(7200)
        let gone = try object(JSONOutput.encode(json: PodJSON(PodView(record: stopped, remote: nil, now: created)).json))
        XCTAssertEqual(gone["status"] as? String, "TERMINATED")
        XCTAssertEqual(gone["terminatedAt"] as? String, "2026-11-18T13:06:40Z")
    }

    func testConnectsKnownEndpointMakesThePodRunning() throws {
        let view = PodView(record: record(status: "RUNNING", open: true), remote: nil, now: created)
        XCTAssertEqual(view.status, .starting)
        let json = try object(JSONOutput.encode(json: PodJSON(view, endpoint: PodEndpoint(host: "10.0.0.2", port: 22)).json))
        XCTAssertEqual(json["status"] as? String, "RUNNING")
        XCTAssertEqual(json["sshHost"] as? String, "10.0.0.2")
    }

    /// stop, start and kill wrap the pod in an `Encodable`, written by `JSONEncoder`; list and
    /// info write the `JSONValue` directly. Both must give the same document.
    func testBothEncodersWriteThePodTheSameWay() throws {
        let view = PodView(
            record: record(status: "RUNNING", endpoint: PodEndpoint(host: "h/1", port: 22), open: true), remote: nil,
            now: created.addingTimeInterval(1234.56))
        let pod = PodJSON(view)
        XCTAssertEqual(try JSONOutput.encode(pod), JSONOutput.encode(json: pod.json))
        XCTAssertTrue(JSONOutput.encode(json: pod.json).contains(#""sshHost" : "h/1""#), "slashes are not escaped")
    }

    func testTheGuardWritesItsLimitsAndTheWatchdogsLastCheck() {
        let settings = GuardSettings(idleLimit: .seconds(1800), maxRuntime: .zero, budget: 5, action: .stop)
        let status = GuardStatus(checkedAt: created, idle: .seconds(61.5), busy: "GPU at 80%", runtime: .seconds(7200), spent: 1.25, pid: 7)
        XCTAssertEqual(
            JSONOutput.encode(json: GuardCommand.json(pod: "pod1", settings: settings, status: status, running: nil)),
            """
            {
              "action" : "stop",
              "budget" : 5,
              "busy" : "GPU at 80%",
              "idleForSeconds" : 61,
              "idleSeconds" : 1800,
              "maxRuntimeSeconds" : 0,
              "pod" : "pod1",
              "runtimeSeconds" : 7200,
              "spent" : 1.25
            }
            """)
        // After a change: whether the watchdog runs, and no check.
        XCTAssertEqual(
            JSONOutput.encode(json: GuardCommand.json(pod: "pod1", settings: .defaults, status: nil, running: true)),
            """
            {
              "action" : "stop",
              "budget" : 0,
              "idleSeconds" : 3600,
              "maxRuntimeSeconds" : 0,
              "pod" : "pod1",
              "watchdogRunning" : true
            }
            """)
    }

    func testStatusChangeWrapsThePod() throws {
        let view = PodView(record: record(status: "EXITED"), remote: nil, now: created)
        let json = try object(JSONOutput.encode(StatusChange(action: "stop", pod: PodJSON(view), status: "STOPPED")))
        XCTAssertEqual(Set(json.keys), ["action", "pod", "status"])
        XCTAssertEqual(json["action"] as? String, "stop")
        XCTAssertEqual((json["pod"] as? [String: Any])?["id"] as? String, "pod123abc")
    }

    func testTheDryRunPlanHasThePriceAndLeavesUnknownsOut() throws {
        var options = LaunchOptions(config: AutopodConfig(gpuCount: 2, cloudType: .community))
        options.name = "mine"
        let plan = LaunchPlan(
            options: options,
            candidates: [
                LaunchCandidate(type: GPUType(id: "NVIDIA A40", displayName: "A40", memoryInGb: 48, stock: .outOfStock), pricePerHour: 0.78),
                LaunchCandidate(type: GPUType(id: "NVIDIA L40S", displayName: "L40S", memoryInGb: 48), pricePerHour: 1.5),
            ])
        let json = try object(JSONOutput.encode(json: ConnectCommand.planJSON(plan)))
        XCTAssertEqual(
            Set(json.keys),
            ["candidates", "gpuCount", "cloudType", "image", "containerDiskGB", "volumeGB", "ports", "estimatedPerHour", "estimatedPerDay"])
        XCTAssertEqual(json["cloudType"] as? String, "COMMUNITY")
        XCTAssertEqual(json["estimatedPerHour"] as? Double, 1.5, "the first type with stock sets the estimate")
        XCTAssertEqual(json["estimatedPerDay"] as? Double, 36)
        let candidates = try XCTUnwrap(json["candidates"] as? [[String: Any]])
        XCTAssertEqual(candidates.map { $0["id"] as? String }, ["NVIDIA A40", "NVIDIA L40S"])
        XCTAssertEqual(candidates[0]["stockStatus"] as? String, "None")
        XCTAssertNil(candidates[1]["stockStatus"], "an unknown stock is left out, not null")

        var spot = plan
        spot.options.networkVolume = NetworkVolume(id: "vol1", name: "data", sizeGB: 10, dataCenterId: "EU-RO-1")
        spot.options.dataCenterId = "EU-RO-1"
        spot.candidates[1].type.minimumBid = 0.2
        spot.candidates[1].bidPerGpu = 0.31
        let spotJSON = try object(JSONOutput.encode(json: ConnectCommand.planJSON(spot)))
        XCTAssertEqual(spotJSON["networkVolumeId"] as? String, "vol1")
        XCTAssertEqual(spotJSON["dataCenterId"] as? String, "EU-RO-1")
        let bid = try XCTUnwrap((spotJSON["candidates"] as? [[String: Any]])?[1])
        XCTAssertEqual(bid["minimumBid"] as? Double, 0.2)
        XCTAssertEqual(bid["bidPerGpu"] as? Double, 0.31)
    }
}
