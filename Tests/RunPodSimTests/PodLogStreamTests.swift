import Foundation
import RunPodSim
import TestSupport
import XCTest

/// `GET /v2/pods/{id}/logs` as Server-Sent Events over a real socket: backfill by `tail`,
/// `since` and `Last-Event-ID`, lines followed while the connection is open, lifecycle lines,
/// and a cut connection resumed without a line repeated or lost.
final class PodLogStreamTests: RESTTestCase {
    /// Creates a pod and waits until its start-up lines are written.
    private func runningPod(_ name: String = "logs") throws -> String {
        let id = id(try createPod(name: name))
        try waitForStatus(id, "RUNNING")
        return id
    }

    private func write(_ id: String, _ lines: [String], source: String = "container") throws {
        let reply = try client.control("POST", "/_sim/pods/\(id)/log", ["lines": lines, "source": source])
        XCTAssertEqual(reply.status, 200, reply.text)
    }

    /// How many streams the simulator ever opened for the pod.
    private func streamsOpened(_ id: String) throws -> Int {
        try client.control("GET", "/_sim/pods/\(id)/log-streams").json?["opened"] as? Int ?? -1
    }

    /// Opens a stream and waits until the simulator has registered it, so a line written next
    /// is one the stream must deliver live.
    private func openLiveStream(_ id: String, query: String = "tail=0", lastEventID: String? = nil) throws -> RESTTestClient.EventStream {
        let before = try streamsOpened(id)
        let stream = try rest.openStream("/v2/pods/\(id)/logs?\(query)", lastEventID: lastEventID)
        XCTAssertEqual(stream.status, 200)
        let registered = try SimulatorClient.waitUntil(timeout: 10) { try streamsOpened(id) > before }
        XCTAssertTrue(registered, "the simulator never registered the stream")
        return stream
    }

    func testStartUpAndLifecycleLinesAndHeaders() throws {
        try registerAccountKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIkey test@host")
        let id = try runningPod()
        let stream = try rest.openStream("/v2/pods/\(id)/logs")
        defer { stream.close() }
        XCTAssertEqual(stream.status, 200)
        XCTAssertEqual(stream.headers["content-type"], "text/event-stream")
        XCTAssertEqual(stream.headers["cache-control"], "no-cache")
        XCTAssertEqual(stream.headers["x-accel-buffering"], "no")
        XCTAssertNotNil(stream.headers["ratelimit"])
        let backfill = try stream.next(8)
        let lines = backfill.map { "\($0.source ?? "?"): \($0.line ?? "?")" }
        XCTAssertEqual(lines.first, "system: create pod: NVIDIA A40 x1, SECURE cloud, EU-RO-1", "\(lines)")
        XCTAssertTrue(lines.contains("container: Pod Started"), "\(lines)")
        XCTAssertTrue(lines.contains("container: Starting SSH server..."), "\(lines)")
        XCTAssertTrue(lines.contains("container: Starting Jupyter Lab on port 8888..."), "\(lines)")
        XCTAssertEqual(lines.last, "container: Start script(s) finished, pod is ready to use.")
        for event in backfill {
            let id = try XCTUnwrap(event.id)
            let ts = try XCTUnwrap(event.json?["ts"] as? String)
            XCTAssertTrue(id.hasPrefix(ts + "/"), "the event id is the line's timestamp and its sequence: \(id)")
            XCTAssertNotNil(ts.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#, options: .regularExpression), ts)
        }

        XCTAssertEqual(try action(id, "stop").status, 200)
        let stopping = try stream.next(2).compactMap(\.line)
        XCTAssertEqual(stopping, ["Received SIGTERM, shutting down.", "stop container: exited by user"])
        XCTAssertEqual(try action(id, "start").status, 200)
        XCTAssertEqual(try stream.next()?.line, "start pod: resuming on machine \(try machineID(id))")
        XCTAssertEqual(try stream.next()?.line, "start container for \(Self.image): begin")
        XCTAssertEqual(try rest.send("DELETE", "/v2/pods/\(id)").status, 204)
        var remaining: [String] = []
        while let event = try stream.next() { remaining.append(event.line ?? "") }
        XCTAssertEqual(remaining.last, "terminate pod: container and volume removed")
        XCTAssertEqual(stream.end, .finished, "a terminated pod's stream ends with the last chunk")
    }

    private func machineID(_ id: String) throws -> String {
        let pod = try client.graphQL("query { pod(input: {podId: \"\(id)\"}) { machineId } }")
        return (pod.data("pod") as? [String: Any])?["machineId"] as? String ?? ""
    }

    func testTailSourceAndLimits() throws {
        let id = try runningPod()
        try write(id, (1...150).map { "line \($0)" })
        let all = try rest.openStream("/v2/pods/\(id)/logs?source=container")
        let backfill = try all.next(100)
        XCTAssertEqual(backfill.count, 100)
        XCTAssertEqual(backfill.first?.line, "line 51", "tail defaults to the last 100 lines")
        XCTAssertEqual(backfill.last?.line, "line 150")
        XCTAssertTrue(all.nothingArrives(within: 0.3), "no more than 100 lines of backfill")
        all.close()

        let five = try rest.openStream("/v2/pods/\(id)/logs?tail=5&source=container")
        XCTAssertEqual(try five.next(5).compactMap(\.line), (146...150).map { "line \($0)" })
        five.close()

        let system = try rest.openStream("/v2/pods/\(id)/logs?source=system&tail=5000")
        let systemLines = try system.next(3, timeout: 2)
        XCTAssertTrue(systemLines.allSatisfy { $0.source == "system" })
        XCTAssertEqual(systemLines.count, 3, "create, pull, start container")
        system.close()

        let none = try openLiveStream(id)
        XCTAssertTrue(none.nothingArrives(within: 0.3), "tail=0 streams live lines only")
        try write(id, ["live after tail=0"])
        XCTAssertEqual(try none.next()?.line, "live after tail=0")
        none.close()

        for bad in ["tail=5001", "tail=-1", "tail=x", "source=stdout", "since=yesterday"] {
            let refused = try rest.openStream("/v2/pods/\(id)/logs?\(bad)")
            XCTAssertEqual(refused.status, 422, bad)
            XCTAssertEqual(refused.headers["content-type"], "application/problem+json", bad)
            refused.close()
        }
        let unknown = try rest.openStream("/v2/pods/nosuchpod00000/logs")
        XCTAssertEqual(unknown.status, 404)
        unknown.close()
        let unauthorized = try rest.openStream("/v2/pods/\(id)/logs", apiKey: "wrong")
        XCTAssertEqual(unauthorized.status, 401)
        unauthorized.close()
    }

    func testSince() throws {
        let id = try runningPod()
        try write(id, ["before one"])
        try write(id, ["before two"])
        // The boundary is a line's own timestamp: since is inclusive.
        let probe = try rest.openStream("/v2/pods/\(id)/logs?tail=1")
        let last = try XCTUnwrap(try probe.next())
        probe.close()
        XCTAssertEqual(last.line, "before two")
        let boundary = try XCTUnwrap(last.json?["ts"] as? String)
        let after = try XCTUnwrap(Calendar.current.date(byAdding: .second, value: 1, to: try XCTUnwrap(ISO8601DateFormatter.withFraction.date(from: boundary))))
        let from = ISO8601DateFormatter.withFraction.string(from: after)
        // A line stamped later than `from`: wait until the clock passed it.
        XCTAssertTrue(SimulatorClient.waitUntil(timeout: 5) { Date() > after })
        try write(id, ["after one", "after two"])

        let since = try rest.openStream("/v2/pods/\(id)/logs?since=\(from.replacingOccurrences(of: "+", with: "%2B"))&tail=1")
        XCTAssertEqual(try since.next(2).compactMap(\.line), ["after one", "after two"], "since wins over tail")
        XCTAssertTrue(since.nothingArrives(within: 0.3))
        since.close()
        // Inclusive: every line stamped at the boundary's millisecond or later, and none before.
        let inclusive = try rest.openStream("/v2/pods/\(id)/logs?since=\(boundary)&source=container")
        var lines: [RESTTestClient.EventStream.Event] = []
        while lines.last?.line != "after two", let event = try inclusive.next() { lines.append(event) }
        inclusive.close()
        XCTAssertTrue(lines.contains { $0.line == "before two" }, "\(lines.compactMap(\.line))")
        XCTAssertTrue(lines.allSatisfy { ($0.json?["ts"] as? String ?? "") >= boundary }, "\(lines.compactMap(\.id))")
        XCTAssertFalse(lines.contains { $0.line == "Pod Started" })
    }

    func testLiveLineAndResumeAfterACutWithoutRepeatOrLoss() throws {
        let id = try runningPod()
        let first = try openLiveStream(id)
        try write(id, ["live 1"])
        let live = try XCTUnwrap(try first.next(timeout: 5), "a line written through the control API reached the open stream")
        XCTAssertEqual(live.line, "live 1")
        try write(id, ["live 2", "live 3"])
        let seen = [live] + (try first.next(2))
        XCTAssertEqual(seen.compactMap(\.line), ["live 1", "live 2", "live 3"])

        // The simulator drops the connection mid-reply; lines written meanwhile must arrive on
        // resume, once each, after the last id seen.
        let cut = try client.control("POST", "/_sim/pods/\(id)/log-streams", ["action": "cut"])
        XCTAssertEqual(cut.json?["cut"] as? Int, 1, cut.text)
        XCTAssertNil(try first.next(timeout: 5))
        XCTAssertEqual(first.end, .cut, "a cut ends the reply without its last chunk")
        first.close()
        try write(id, ["gap 1", "gap 2"])
        try write(id, ["gap 3"], source: "system")

        let resumed = try openLiveStream(id, query: "tail=5000", lastEventID: try XCTUnwrap(seen.last?.id))
        let replay = try resumed.next(3)
        XCTAssertEqual(replay.compactMap(\.line), ["gap 1", "gap 2", "gap 3"], "Last-Event-ID wins over tail")
        try write(id, ["after resume"])
        XCTAssertEqual(try resumed.next()?.line, "after resume")
        let ids = (seen + replay).compactMap(\.id)
        XCTAssertEqual(ids, ids.sorted(), "event ids grow")
        XCTAssertEqual(Set(ids).count, ids.count, "no event id twice")
        resumed.close()

        // A bare timestamp resumes after that time; garbage is refused.
        let byTime = try rest.openStream("/v2/pods/\(id)/logs", lastEventID: try XCTUnwrap(replay.last?.json?["ts"] as? String))
        XCTAssertEqual(try byTime.next()?.line, "after resume")
        byTime.close()
        let garbage = try rest.openStream("/v2/pods/\(id)/logs", lastEventID: "not-an-id")
        XCTAssertEqual(garbage.status, 422)
        garbage.close()
    }

    func testRateLimitFaultOnTheLogStream() throws {
        let id = try runningPod()
        try client.control("POST", "/_sim/faults", ["status": 429, "count": 1, "operation": "getPodLogs", "retryAfter": 2])
        XCTAssertEqual(try rest.get("/v2/pods/\(id)").status, 200, "other operations are not hit")
        let limited = try rest.openStream("/v2/pods/\(id)/logs")
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.headers["retry-after"], "2")
        XCTAssertEqual(limited.errorBody?["status"] as? Int, 429)
        limited.close()
        let next = try rest.openStream("/v2/pods/\(id)/logs?tail=1")
        XCTAssertEqual(next.status, 200)
        XCTAssertNotNil(try next.next())
        next.close()
    }
}

extension ISO8601DateFormatter {
    static var withFraction: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
