import Foundation
import TestSupport
import XCTest

/// `autopod logs POD` against runpod-sim's SSE log endpoint: following, reconnecting without
/// repeating or losing a line, rate limits, Ctrl+C, and the GraphQL-only backend's answer.
/// Pod logs exist only in REST v2, so these run on the default backend (auto) alone.
final class PodLogsEndToEndTests: EndToEndCase {
    override class var runsOnEveryAPI: Bool { false }

    override func setUpWithError() throws {
        try super.setUpWithError()
        cli.environment["AUTOPOD_API"] = "auto"
    }

    /// Connects and returns the pod's id and name.
    func readyPod() throws -> (id: String, name: String) {
        try connect(["--gpu", "A40"])
        let pod = try XCTUnwrap(try listJSON().first)
        return (try XCTUnwrap(pod["id"] as? String), try XCTUnwrap(pod["name"] as? String))
    }

    /// How often `line` appears as a whole line of `text`.
    func count(_ line: String, in text: String) -> Int {
        text.split(separator: "\n").filter { $0 == line }.count
    }

    func testFollowShowsNewLinesAtOnceAndResumesWithoutRepeatingOrLosingOne() throws {
        let (id, name) = try readyPod()
        let follow = try cli.start(["logs", name, "-f"])
        try eventually("the log stream to open") { try sim.client.logStreamsOpened(id) >= 1 }

        try sim.client.writePodLog(id, ["line-1"])
        // A line written on the pod is on the terminal within a second.
        try eventually("line-1 on stdout", timeout: 1) { follow.stdoutSoFar.contains("line-1\n") }

        // The connection is cut; lines written meanwhile arrive after the reconnect, once.
        XCTAssertEqual(try sim.client.cutLogStreams(id), 1)
        try sim.client.writePodLog(id, ["line-2", "line-3"])
        try eventually("line-3 after the reconnect", timeout: 15) { follow.stdoutSoFar.contains("line-3\n") }
        XCTAssertGreaterThanOrEqual(try sim.client.logStreamsOpened(id), 2)

        // A 429 on the reconnect is waited out as Retry-After says.
        try sim.addFault(["status": 429, "count": 1, "retryAfter": 1, "api": "rest", "operation": "getPodLogs"])
        let opened = try sim.client.logStreamsOpened(id)
        XCTAssertEqual(try sim.client.cutLogStreams(id), 1)
        try sim.client.writePodLog(id, ["line-4"])
        try eventually("line-4 after the rate limit", timeout: 15) { follow.stdoutSoFar.contains("line-4\n") }
        XCTAssertGreaterThan(try sim.client.logStreamsOpened(id), opened)
        try sim.client.writePodLog(id, ["line-5"])
        try eventually("line-5", timeout: 5) { follow.stdoutSoFar.contains("line-5\n") }

        follow.interrupt()
        let result = follow.wait(timeout: .seconds(10))
        XCTAssertEqual(result.status, 130, "\(result)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let ours = lines.filter { $0.hasPrefix("line-") }
        XCTAssertEqual(ours, ["line-1", "line-2", "line-3", "line-4", "line-5"], "each line once, in order:\n\(result.stdout)")
        // The history sent before the first line is not sent again after any reconnect.
        for line in Set(lines) { XCTAssertEqual(count(line, in: result.stdout), 1, "\(line) repeated:\n\(result.stdout)") }
    }

    func testHistoryTailSinceSystemAndJSON() throws {
        let (id, name) = try readyPod()
        try sim.client.writePodLog(id, ["alpha", "beta", "gamma"])
        let tail = try cli.run(["logs", name, "--tail", "2"])
        XCTAssertEqual(tail.status, 0, "\(tail)")
        XCTAssertEqual(tail.stdout, "beta\ngamma\n")

        let everything = try cli.run(["logs", name, "--tail", "5000"])
        XCTAssertTrue(everything.stdout.hasSuffix("alpha\nbeta\ngamma\n"), everything.stdout)
        XCTAssertGreaterThan(everything.stdout.split(separator: "\n").count, 3, "the pod's start-up lines come first")

        let recent = try cli.run(["logs", name, "--since", "10m"])
        XCTAssertTrue(recent.stdout.contains("gamma\n"), "\(recent)")
        let future = try cli.run(["logs", name, "--since", "2099-01-01T00:00:00Z"])
        XCTAssertEqual(future.status, 0, "\(future)")
        XCTAssertEqual(future.stdout, "")

        let system = try cli.run(["logs", name, "--system", "--tail", "100"])
        XCTAssertEqual(system.status, 0, "\(system)")
        XCTAssertFalse(system.stdout.contains("gamma"), system.stdout)
        XCTAssertTrue(system.stdout.contains("pulling image"), system.stdout)

        let json = try cli.run(["logs", name, "--tail", "1", "--json"])
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(object["line"] as? String, "gamma")
        XCTAssertEqual(object["source"] as? String, "container")
        XCTAssertNotNil(object["ts"] as? String)
    }

    func testGraphQLOnlySaysPodLogsNeedRESTAndOwnLogIsUnchanged() throws {
        let (_, name) = try readyPod()
        let refused = try cli.run(["logs", name], environment: ["AUTOPOD_API": "graphql"])
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("pod logs need RunPod's REST v2 API"), refused.stderr)

        // Without a pod (or with --self): autopod's own log, as before.
        let own = try cli.run(["logs", "-n", "3"])
        XCTAssertEqual(own.status, 0, "\(own)")
        XCTAssertEqual(try cli.run(["logs", "--self", "-n", "3"]).stdout, own.stdout)
        XCTAssertFalse(own.stdout.isEmpty)
        XCTAssertEqual(try cli.run(["logs", "--self", name]).status, 2, "--self and a pod contradict each other")
    }
}
