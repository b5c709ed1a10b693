@testable import AutopodCore
import XCTest

final class ErrorClassificationTests: XCTestCase {
    func testRunPodMessagesSortIntoKinds() {
        let capacity = GraphQLClient.classify(
            "There are no longer any instances available with the requested specifications. Please refresh and try again.",
            status: 200)
        XCTAssertEqual(RunPodProvider.map(capacity, mutation: true).isCapacity, true)
        let resume = GraphQLClient.classify("There are not enough free GPUs on the host machine to start this pod.", status: 200)
        XCTAssertTrue(RunPodProvider.map(resume, mutation: true).isCapacity)
        let missing = GraphQLClient.classify("Pod not found: no pod with id x exists on this account.", status: 200)
        guard case .notFound = RunPodProvider.map(missing, mutation: false) else { return XCTFail("\(missing)") }
        let internalError = GraphQLClient.classify("Something went wrong. Please try again later or contact support.", status: 500)
        guard case .transient = RunPodProvider.map(internalError, mutation: false) else { return XCTFail() }
    }

    func testOnlyMutationsHaveUnknownOutcomes() {
        let serverError = RunPodAPIError.transient(message: "HTTP 500")
        XCTAssertTrue(RunPodProvider.map(serverError, mutation: true).outcomeUnknown)
        XCTAssertFalse(RunPodProvider.map(serverError, mutation: false).outcomeUnknown)
        let timeout = RunPodAPIError.transport(HTTPError(kind: .timeout, curlCode: 28, message: "timed out", url: "http://x/graphql"))
        XCTAssertTrue(RunPodProvider.map(timeout, mutation: true).outcomeUnknown)
        // A refused connection never reached RunPod: nothing can have been created.
        let refused = RunPodAPIError.transport(HTTPError(kind: .connect, curlCode: 7, message: "refused", url: "http://x/graphql"))
        XCTAssertFalse(RunPodProvider.map(refused, mutation: true).outcomeUnknown)
        XCTAssertTrue(RunPodProvider.map(.invalidResponse("garbage"), mutation: true).outcomeUnknown)
        XCTAssertFalse(RunPodProvider.map(.capacity(message: "x"), mutation: true).outcomeUnknown)
    }

    func testUnauthorizedSaysWhatToDoWithoutTheKey() {
        let error = RunPodProvider.map(.unauthorized(status: 401), mutation: false)
        guard case .unauthorized = error else { return XCTFail("\(error)") }
        XCTAssertTrue(error.description.contains("RUNPOD_API_KEY"))
    }

    func testParsePodReadsRuntimeAndSSHEndpoint() throws {
        let json: JSONValue = [
            "id": "p1", "name": "autopod-2026-11-27-001", "desiredStatus": "RUNNING", "costPerHr": 0.4, "gpuCount": 1,
            "ports": "8888/http,22/tcp",
            "machine": ["podHostId": "p1-abc", "gpuDisplayName": "A40", "gpuTypeId": "NVIDIA A40"],
            "runtime": [
                "uptimeInSeconds": 12,
                "ports": [
                    ["ip": "100.65.0.2", "isIpPublic": false, "privatePort": 8888, "publicPort": 60141, "type": "http"],
                    ["ip": "100.65.0.2", "isIpPublic": false, "privatePort": 22, "publicPort": 22, "type": "tcp"],
                    ["ip": "203.0.113.9", "isIpPublic": true, "privatePort": 22, "publicPort": 40100, "type": "tcp"],
                ],
            ],
        ]
        let pod = try RunPodProvider.parsePod(json)
        XCTAssertEqual(pod?.sshEndpoint, PodEndpoint(host: "203.0.113.9", port: 40100))
        XCTAssertEqual(pod?.uptimeInSeconds, 12)
        XCTAssertEqual(pod?.gpuTypeId, "NVIDIA A40")
        var stopped = pod!
        stopped.desiredStatus = "EXITED"
        XCTAssertNil(stopped.sshEndpoint, "stale runtime of a stopped pod must not be trusted")
    }

    func testAHugeOrFractionalPortIsAnInvalidReplyNotACrash() {
        for bad in [1e300, -1, 70000, 22.5] as [Double] {
            let json: JSONValue = [
                "id": "abc123", "runtime": ["ports": [["ip": "203.0.113.9", "isIpPublic": true, "privatePort": 22, "publicPort": .number(bad)]]],
            ]
            XCTAssertThrowsError(try RunPodProvider.parsePod(json), "\(bad)") { error in
                XCTAssertTrue("\(error)".contains("not a port number"), "\(error)")
            }
        }
        XCTAssertNil(JSONValue.number(1e300).intValue)
        XCTAssertNil(JSONValue.number(.nan).intValue)
        XCTAssertEqual(JSONValue.number(42).intValue, 42)
    }

    func testParseGPUTypeReadsStockInsideLowestPrice() {
        let json: JSONValue = [
            "id": "NVIDIA A40", "displayName": "A40", "memoryInGb": 48, "securePrice": 0.4, "communityPrice": 0.35,
            "lowestPrice": ["stockStatus": "None", "uninterruptablePrice": nil],
        ]
        let type = RunPodProvider.parseGPUType(json)
        XCTAssertEqual(type?.stock, StockStatus.outOfStock)
        XCTAssertTrue(type?.isOutOfStock ?? false)
        XCTAssertEqual(type?.pricePerGPU(cloud: .community), 0.35)
        XCTAssertNil(RunPodProvider.parseGPUType(["id": "unknown", "displayName": "x"]))
    }
}
