import AutopodSupport
import Foundation
import RunPodSim
import TestSupport
import XCTest

/// Spot pods as RunPod rents them (`podRentInterruptable`, `podBidResume`), the market that
/// outbids them, and the creates RunPod refuses; all over real HTTP.
final class SpotMarketTests: SimulatorTestCase {
    private let spotFields = "id desiredStatus lastStatusChange costPerHr podType gpuCount"

    private func rentSpot(bid: Double, gpuTypeId: String = "NVIDIA A40", extra: [String: Any] = [:]) throws -> SimulatorClient.Reply {
        var input: [String: Any] = [
            "cloudType": "SECURE", "gpuTypeId": gpuTypeId, "gpuCount": 1, "bidPerGpu": bid, "name": "spot",
            "imageName": "runpod/pytorch:2.4.0", "ports": "22/tcp", "startSsh": true, "containerDiskInGb": 20,
        ]
        input.merge(extra) { $1 }
        return try client.graphQL(
            "mutation($input: PodRentInterruptableInput!) { podRentInterruptable(input: $input) { \(spotFields) } }",
            variables: ["input": input])
    }

    private func create(_ extra: [String: Any]) throws -> SimulatorClient.Reply {
        var input: [String: Any] = ["cloudType": "ALL", "gpuTypeId": "NVIDIA A40", "gpuCount": 1, "imageName": "runpod/pytorch:2.4.0"]
        input.merge(extra) { $1 }
        return try client.graphQL(
            "mutation($input: PodFindAndDeployOnDemandInput!) { podFindAndDeployOnDemand(input: $input) { id machine { dataCenterId } } }",
            variables: ["input": input])
    }

    func testSpotPodIsChargedItsBidAndABidBelowTheFloorIsRefusedWithTheFloor() throws {
        let floor = try client.graphQL(
            #"query { gpuTypes(input: {id: "NVIDIA A40"}) { secureSpotPrice lowestPrice(input: {gpuCount: 1, secureCloud: true}) { minimumBidPrice } } }"#)
        let type = try XCTUnwrap((floor.data("gpuTypes") as? [[String: Any]])?.first, floor.text)
        XCTAssertEqual((type["lowestPrice"] as? [String: Any])?["minimumBidPrice"] as? Double, 0.2)
        XCTAssertEqual(type["secureSpotPrice"] as? Double, 0.2)

        let low = try rentSpot(bid: 0.1)
        XCTAssertEqual(low.status, 200, low.text)
        XCTAssertTrue(low.data("podRentInterruptable") is NSNull, low.text)
        let message = try XCTUnwrap(low.firstErrorMessage)
        XCTAssertTrue(message.contains("minimum bid of $0.20"), message)
        XCTAssertTrue(try client.simPods().isEmpty, "a refused bid created a pod")

        let rented = try rentSpot(bid: 0.25)
        let pod = try XCTUnwrap(rented.data("podRentInterruptable") as? [String: Any], rented.text)
        XCTAssertEqual(pod["podType"] as? String, "INTERRUPTABLE")
        XCTAssertEqual(pod["costPerHr"] as? Double ?? 0, 0.25, accuracy: 0.0001)
        let onDemand = try XCTUnwrap(try create([:]).data("podFindAndDeployOnDemand") as? [String: Any])
        XCTAssertEqual(try podObject(onDemand["id"] as! String, fields: "podType")?["podType"] as? String, "RESERVED")
    }

    func testPreemptionStopsThePodAsOutbidAndBidResumeWaitsForTheMachine() throws {
        let pod = try XCTUnwrap(try rentSpot(bid: 0.25).data("podRentInterruptable") as? [String: Any])
        let id = try XCTUnwrap(pod["id"] as? String)
        _ = try client.waitForSSHPort(id)
        let onDemand = try XCTUnwrap(try create([:]).data("podFindAndDeployOnDemand") as? [String: Any])
        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(onDemand["id"] as! String)/preempt").status, 409, "on-demand pods are not outbid")

        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/preempt").status, 200)
        let after = try XCTUnwrap(try podObject(id, fields: "desiredStatus lastStatusChange runtime { uptimeInSeconds }"))
        XCTAssertEqual(after["desiredStatus"] as? String, "EXITED")
        XCTAssertTrue((after["lastStatusChange"] as? String ?? "").hasPrefix("Outbid: "), "\(after)")
        XCTAssertTrue(after["runtime"] is NSNull)
        XCTAssertEqual(try client.simPod(id)["booted"] as? Bool, false, "the pod's processes outlived the preemption")

        let resume =
            "mutation($podId: String!, $bidPerGpu: Float!, $gpuCount: Int!) { podBidResume(input: {podId: $podId, bidPerGpu: $bidPerGpu, gpuCount: $gpuCount}) { id costPerHr desiredStatus lastStatusChange } }"
        let busy = try client.graphQL(resume, variables: ["podId": id, "bidPerGpu": 0.3, "gpuCount": 1])
        XCTAssertTrue(busy.firstErrorMessage?.contains("not enough free GPUs") ?? false, busy.text)
        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/host", ["busy": false]).status, 200)
        let tooLow = try client.graphQL(resume, variables: ["podId": id, "bidPerGpu": 0.05, "gpuCount": 1])
        XCTAssertTrue(tooLow.firstErrorMessage?.contains("minimum bid of $0.20") ?? false, tooLow.text)
        let resumed = try client.graphQL(resume, variables: ["podId": id, "bidPerGpu": 0.3, "gpuCount": 1])
        let back = try XCTUnwrap(resumed.data("podBidResume") as? [String: Any], resumed.text)
        XCTAssertEqual(back["desiredStatus"] as? String, "RUNNING")
        XCTAssertEqual(back["costPerHr"] as? Double ?? 0, 0.3, accuracy: 0.0001)
        _ = try client.waitForSSHPort(id)
    }

    func testAMarketPriceAboveTheBidOutbidsRunningSpotPods() throws {
        let cheap = try XCTUnwrap((try rentSpot(bid: 0.22).data("podRentInterruptable") as? [String: Any])?["id"] as? String)
        let generous = try XCTUnwrap((try rentSpot(bid: 0.5).data("podRentInterruptable") as? [String: Any])?["id"] as? String)
        let moved = try client.control("POST", "/_sim/spot", ["gpuTypeId": "NVIDIA A40", "minimumBid": 0.3])
        XCTAssertEqual(moved.json?["outbid"] as? [String], [cheap], moved.text)
        XCTAssertTrue((try podObject(cheap, fields: "lastStatusChange")?["lastStatusChange"] as? String ?? "").hasPrefix("Outbid"))
        XCTAssertEqual(try podObject(generous)?["desiredStatus"] as? String, "RUNNING")
        let floor = try client.graphQL(
            #"query { gpuTypes(input: {id: "NVIDIA A40"}) { lowestPrice(input: {gpuCount: 1, secureCloud: true}) { minimumBidPrice } } }"#)
        XCTAssertEqual(
            (((floor.data("gpuTypes") as? [[String: Any]])?.first)?["lowestPrice"] as? [String: Any])?["minimumBidPrice"] as? Double, 0.3)
    }

    func testInvalidCreatesAreRefusedAsRunPodRefusesThem() throws {
        let volume = try client.restJSON("POST", "/v2/network-volumes", ["name": "data", "size": 20, "dataCenter": "EU-RO-1"])
        let volumeID = try XCTUnwrap(volume.json?["id"] as? String, volume.text)
        let cases: [([String: Any], String)] = [
            (["dataCenterId": "MOON-1"], "Invalid data center ID MOON-1"),
            (["networkVolumeId": "nosuchvol"], "Unknown network volume nosuchvol"),
            (["networkVolumeId": volumeID, "dataCenterId": "CA-MTL-1"], "is in data center EU-RO-1"),
            (["templateId": "no-such-template"], "Unknown template no-such-template"),
            (["deployCost": 0.1], "maximum price of $0.10/hr"),
            (["countryCode": "JP"], "no longer any instances available"),
        ]
        for (input, expected) in cases {
            let reply = try create(input)
            XCTAssertTrue(reply.data("podFindAndDeployOnDemand") is NSNull, "\(input): \(reply.text)")
            XCTAssertTrue(reply.firstErrorMessage?.contains(expected) ?? false, "\(input): \(reply.text)")
        }
        XCTAssertTrue(try client.simPods().isEmpty, "a refused create made a pod")

        // What RunPod accepts: the volume's centre, a ceiling at the price, a country with a centre.
        let placed = try XCTUnwrap(try create(["networkVolumeId": volumeID]).data("podFindAndDeployOnDemand") as? [String: Any])
        XCTAssertEqual((placed["machine"] as? [String: Any])?["dataCenterId"] as? String, "EU-RO-1")
        XCTAssertNotNil(try create(["deployCost": 0.4, "cloudType": "SECURE"]).data("podFindAndDeployOnDemand") as? [String: Any])
        let canada = try XCTUnwrap(try create(["countryCode": "CA"]).data("podFindAndDeployOnDemand") as? [String: Any])
        XCTAssertEqual((canada["machine"] as? [String: Any])?["dataCenterId"] as? String, "CA-MTL-1")
        XCTAssertNotNil(try create(["templateId": "runpod-torch-v240"]).data("podFindAndDeployOnDemand") as? [String: Any])
    }

    func testRunpodctlUserQueryIsAnswered() throws {
        // runpodctl internal/api/gpu.go GetUser, as it sends it (variables null).
        let reply = try client.graphQL(
            """

            \t\tquery {
            \t\t\tmyself {
            \t\t\t\tid
            \t\t\t\temail
            \t\t\t\tclientBalance
            \t\t\t\tcurrentSpendPerHr
            \t\t\t\tspendLimit
            \t\t\t\tnotifyPodsStale
            \t\t\t\tnotifyPodsGeneral
            \t\t\t\tnotifyLowBalance
            \t\t\t}
            \t\t}
            \t
            """)
        XCTAssertEqual(reply.status, 200, reply.text)
        let me = try XCTUnwrap(reply.data("myself") as? [String: Any], reply.text)
        for field in ["notifyPodsStale", "notifyPodsGeneral", "notifyLowBalance"] { XCTAssertNotNil(me[field] as? Bool, field) }
        XCTAssertNotNil(me["clientBalance"] as? Double)
        XCTAssertNotNil(me["spendLimit"] as? Int)
    }

    func testPodsOnOneNetworkVolumeShareItsFilesAndItOutlivesThem() throws {
        let volume = try client.restJSON("POST", "/v2/network-volumes", ["name": "shared", "size": 20, "dataCenter": "EU-RO-1"])
        let volumeID = try XCTUnwrap(volume.json?["id"] as? String, volume.text)
        let first = try XCTUnwrap((try create(["networkVolumeId": volumeID]).data("podFindAndDeployOnDemand") as? [String: Any])?["id"] as? String)
        _ = try client.waitForSSHPort(first)
        let directory = try XCTUnwrap(try client.simPod(first)["volume"] as? String)
        try Data("from the first pod\n".utf8).write(to: URL(fileURLWithPath: directory + "/note.txt"))
        XCTAssertEqual(try client.graphQL("mutation { podTerminate(input: {podId: \"\(first)\"}) }").status, 200)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/note.txt"), "terminating a pod removed its network volume's files")

        let second = try XCTUnwrap((try create(["networkVolumeId": volumeID]).data("podFindAndDeployOnDemand") as? [String: Any])?["id"] as? String)
        XCTAssertEqual(try client.simPod(second)["volume"] as? String, directory)
        XCTAssertEqual(try client.restJSON("DELETE", "/v2/network-volumes/\(volumeID)", nil).status, 409, "deleted while mounted")
        XCTAssertEqual(try client.graphQL("mutation { podTerminate(input: {podId: \"\(second)\"}) }").status, 200)
        XCTAssertEqual(try client.restJSON("DELETE", "/v2/network-volumes/\(volumeID)", nil).status, 204)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory), "a deleted volume's files stayed")
    }
}
