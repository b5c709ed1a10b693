import Foundation
import RunPodSim
import TestSupport
import XCTest

/// The async entry points, for callers already inside Swift concurrency.
final class AsyncLaunchTests: XCTestCase {
    func testLaunchAndShutdownFromAsyncCode() async throws {
        let sim = try await RunPodSimulator.launch(SimulatorOptions(apiKey: "async-key", bootDelay: 0))
        let client = SimulatorClient(baseURL: sim.baseURL, apiKey: sim.apiKey)
        let reply = try client.graphQL("query { myself { id } }")
        XCTAssertEqual(reply.status, 200)
        await sim.shutdown()
        XCTAssertThrowsError(try client.graphQL("query { myself { id } }", timeout: 3), "the server still answers after shutdown")
    }
}
