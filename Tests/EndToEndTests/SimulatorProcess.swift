import Foundation
import TestSupport

/// The simulator for one end-to-end test: `SimulatorFixture` (the built runpod-sim as a
/// subprocess) with the few control calls these tests use, returning plain dictionaries.
final class SimulatorProcess: @unchecked Sendable {
    static let apiKey = "rpsim-e2e-key"
    let fixture: SimulatorFixture
    var baseURL: String { fixture.baseURL }
    var client: SimulatorClient { fixture.client }

    init(bootDelay: Double = 1) throws {
        fixture = try SimulatorFixture(apiKey: Self.apiKey, bootDelay: bootDelay)
    }

    /// Stops the simulator; it stops every pod process it started.
    func stop() { fixture.stop(signal: SIGINT) }

    func setStock(_ gpuTypeId: String, _ status: String) throws {
        let reply = try client.control("POST", "/_sim/stock", ["gpuTypeId": gpuTypeId, "stockStatus": status])
        guard reply.status == 200 else { throw FixtureError("stock: \(reply.text)") }
    }

    func addFault(_ rule: [String: Any]) throws {
        let reply = try client.control("POST", "/_sim/faults", rule)
        guard reply.status == 200 else { throw FixtureError("fault: \(reply.text)") }
    }

    /// Every pod ever created, terminated ones included.
    func pods() throws -> [[String: Any]] { try client.simPods() }

    func livePods() throws -> [[String: Any]] {
        try pods().filter { ($0["terminated"] as? Bool) != true }
    }

    /// Creates a pod the way another tool would (not through autopod).
    func createPodDirectly(name: String, gpuTypeId: String = "NVIDIA RTX A5000") throws -> String {
        try client.createPod(gpuTypeId: gpuTypeId, name: name)
    }

    /// A GraphQL call with the account key; returns the reply's JSON.
    func graphQL(_ query: String, variables: [String: Any]) throws -> [String: Any] {
        try client.graphQL(query, variables: variables).json ?? [:]
    }
}
