@testable import AutopodCore
import XCTest

/// `RUNPOD_API_BASE_URL` as people write it: with or without a trailing slash, or the GraphQL
/// address copied from RunPod's docs. Both clients build their addresses on the same root.
final class RunPodAPIRootTests: XCTestCase {
    func testEveryWayOfWritingTheBaseGivesTheSameRoot() {
        for written in ["https://api.runpod.io", "https://api.runpod.io/", "https://api.runpod.io//", "https://api.runpod.io/graphql", "https://api.runpod.io/graphql/"] {
            XCTAssertEqual(RunPodAPIRoot.of(written), "https://api.runpod.io", written)
        }
        XCTAssertEqual(RunPodAPIRoot.of("http://127.0.0.1:8080/sim/"), "http://127.0.0.1:8080/sim")
    }

    func testTheClientsAddTheirOwnPaths() {
        XCTAssertEqual(GraphQLClient(baseURL: "https://api.runpod.io/graphql/", apiKey: "k").endpoint, "https://api.runpod.io/graphql")
        XCTAssertEqual(GraphQLClient(baseURL: "https://api.runpod.io", apiKey: "k").endpoint, "https://api.runpod.io/graphql")
        XCTAssertEqual(RESTClient(baseURL: "https://api.runpod.io/graphql", apiKey: "k").baseURL, "https://api.runpod.io")
    }
}
