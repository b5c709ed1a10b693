import Foundation
import TestSupport
import XCTest

/// Choosing the API: what `config show` and `-v` say, and `auto` going on when GraphQL is gone.
final class APIChoiceEndToEndTests: EndToEndCase {
    override class var runsOnEveryAPI: Bool { false }

    override func setUpWithError() throws {
        try super.setUpWithError()
        cli.environment.removeValue(forKey: "AUTOPOD_API")
    }

    func testConfigShowAndVerboseNameTheAPIOfEachCall() throws {
        let shown = try cli.run(["config", "show"])
        XCTAssertEqual(shown.status, 0, "\(shown)")
        XCTAssertTrue(shown.stdout.contains("api ") && shown.stdout.contains("auto"), shown.stdout)
        XCTAssertTrue(shown.stdout.contains("REST v2"), shown.stdout)
        let forced = try cli.run(["config", "show"], environment: ["AUTOPOD_API": "graphql"])
        XCTAssertTrue(forced.stdout.contains("graphql (from AUTOPOD_API)"), forced.stdout)
        XCTAssertEqual((try cli.json(["config", "show"]) as? [String: Any])?["api"] as? String, "auto")

        let bad = try cli.run(["list"], environment: ["AUTOPOD_API": "soap"])
        XCTAssertEqual(bad.status, 1, "\(bad)")
        XCTAssertTrue(bad.stderr.contains("AUTOPOD_API") && bad.stderr.contains("auto, rest, graphql"), bad.stderr)

        let auto = try cli.run(["list", "-v"])
        XCTAssertTrue(auto.stderr.contains("REST v2 GET /v2/pods → HTTP 200"), auto.stderr)
        XCTAssertFalse(auto.stderr.contains("GraphQL"), auto.stderr)
        let graphQL = try cli.run(["list", "-v"], environment: ["AUTOPOD_API": "graphql"])
        XCTAssertTrue(graphQL.stderr.contains("GraphQL Pods → HTTP 200"), graphQL.stderr)
        XCTAssertFalse(graphQL.stderr.contains("REST v2"), graphQL.stderr)

        try writeConfig(extra: ["api": "rest"])
        let configured = try cli.run(["gpus", "-v", "--cloud", "ALL"])
        XCTAssertEqual(configured.status, 0, "\(configured)")
        XCTAssertTrue(configured.stderr.contains("REST v2 GET /v2/catalog/gpus"), configured.stderr)
        XCTAssertFalse(configured.stderr.contains("GraphQL"), configured.stderr)
    }

    func testAutoKeepsWorkingWhenGraphQLIsGone() throws {
        // /graphql answers 410 Gone from now on, as it will once RunPod retires it.
        try sim.addFault(["status": 410, "count": 100_000, "api": "graphql"])
        let created = try cli.run(["connect", "--no-shell", "--gpu", "A40", "--cloud", "ALL", "-v"])
        XCTAssertEqual(created.status, 0, "\(created)")
        XCTAssertTrue(created.stderr.contains("GraphQL is not available"), created.stderr)
        let name = try XCTUnwrap(try listJSON().first?["name"] as? String)
        XCTAssertEqual(try cli.run(["stop", name]).status, 0)
        XCTAssertEqual(try cli.run(["start", name]).status, 0)
        XCTAssertEqual(try cli.run(["info", name]).status, 0)
        XCTAssertEqual(try cli.run(["kill", "--yes", name]).status, 0)
        XCTAssertEqual(try sim.pods().map { $0["terminated"] as? Bool }, [true])
        // Only the first GraphQL call of each process was tried; nothing was created twice.
        XCTAssertEqual(try sim.pods().count, 1)
    }
}
