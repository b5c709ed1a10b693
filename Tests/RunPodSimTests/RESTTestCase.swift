import Foundation
import RunPodSim
import TestSupport
import XCTest

/// A simulator per test with a REST v2 client beside the GraphQL one, and helpers for pods
/// made through REST.
class RESTTestCase: SimulatorTestCase {
    var rest: RESTTestClient!

    override func setUpWithError() throws {
        try super.setUpWithError()
        rest = RESTTestClient(baseURL: sim.baseURL, apiKey: sim.apiKey)
    }

    override func tearDown() {
        rest = nil
        super.tearDown()
    }

    static let image = "runpod/pytorch:1.0.2-cu1281-torch280-ubuntu2404"

    /// POST /v2/pods with a valid body (fields in `extra` replace or add to it); fails the test
    /// unless the reply is 201, and returns the pod.
    @discardableResult
    func createPod(
        name: String = "rest-pod", gpu: String = "NVIDIA A40", count: Int = 1, extra: [String: Any] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> [String: Any] {
        var body: [String: Any] = [
            "name": name, "image": Self.image, "gpu": ["id": gpu, "count": count], "ports": ["8888/http", "22/tcp"],
            "startSsh": true, "disk": 20,
        ]
        for (key, value) in extra { body[key] = value }
        let reply = try rest.send("POST", "/v2/pods", json: body)
        XCTAssertEqual(reply.status, 201, reply.text, file: file, line: line)
        return try XCTUnwrap(reply.json, reply.text, file: file, line: line)
    }

    func id(_ pod: [String: Any]) -> String { pod["id"] as? String ?? "" }

    /// GET /v2/pods/{id} as JSON.
    func pod(_ id: String, apiKey: String? = nil) throws -> [String: Any] {
        let reply = try rest.get("/v2/pods/\(id)", apiKey: apiKey)
        XCTAssertEqual(reply.status, 200, reply.text)
        return reply.json ?? [:]
    }

    /// Polls the pod until its status is `status`; returns it, and every status seen on the way.
    @discardableResult
    func waitForStatus(_ id: String, _ status: String, timeout: Double = 60) throws -> (pod: [String: Any], seen: [String]) {
        var current: [String: Any] = [:]
        var seen: [String] = []
        let reached = try SimulatorClient.waitUntil(timeout: timeout, interval: 0.02) {
            current = try pod(id)
            let now = current["status"] as? String ?? "?"
            if seen.last != now { seen.append(now) }
            return now == status
        }
        XCTAssertTrue(reached, "pod \(id) never reached \(status); saw \(seen)")
        return (current, seen)
    }

    /// The pod's RUNPOD_API_KEY.
    func podKey(_ id: String) throws -> String {
        try XCTUnwrap(try client.simPod(id)["apiKey"] as? String)
    }

    func action(_ id: String, _ action: String, apiKey: String? = nil) throws -> RESTTestClient.Reply {
        try rest.send("POST", "/v2/pods/\(id)/action", json: ["action": action], apiKey: apiKey)
    }
}
