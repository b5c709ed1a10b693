import AutopodSupport
@testable import AutopodCore
import Foundation
import TestSupport
import XCTest

/// The libcurl client against a real HTTP server on loopback.
final class HTTPClientTests: XCTestCase {
    private func client(sleeps: SleepRecorder = SleepRecorder()) -> HTTPClient {
        HTTPClient(transport: CurlHTTPClient(), sleep: { sleeps.record($0) })
    }

    func testSuccessCarriesStatusHeadersBodyAndUserAgent() throws {
        let server = try ScriptedHTTPServer(replies: [.init(status: 200, headers: ["X-Test": "yes"], body: "hello")])
        let response = try client().send(
            HTTPRequest(method: "POST", url: server.url + "/graphql", headers: ["Content-Type": "text/plain"], body: Data("ping".utf8)))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "hello")
        XCTAssertEqual(response.headers["x-test"], "yes")
        let received = try XCTUnwrap(server.received.first)
        XCTAssertEqual(received.method, "POST")
        XCTAssertEqual(received.body, "ping")
        XCTAssertEqual(received.headers["user-agent"], "autopod/\(AutopodVersion.current)")
    }

    func testRetriesA503ThenSucceeds() throws {
        let server = try ScriptedHTTPServer(replies: [.init(status: 503), .init(status: 503), .init(status: 200, body: "ok")])
        let sleeps = SleepRecorder()
        let response = try client(sleeps: sleeps).send(HTTPRequest(url: server.url), policy: .standard)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(server.received.count, 3)
        XCTAssertEqual(sleeps.values.count, 2)
        // Exponential backoff with jitter: the second wait's range starts where the first's ends.
        XCTAssertTrue((.milliseconds(250) ... .milliseconds(500)).contains(sleeps.values[0]), "\(sleeps.values)")
        XCTAssertTrue((.milliseconds(500) ... .seconds(1)).contains(sleeps.values[1]), "\(sleeps.values)")
    }

    func testHonoursRetryAfter() throws {
        let server = try ScriptedHTTPServer(replies: [
            .init(status: 429, headers: ["Retry-After": "3"]), .init(status: 200),
        ])
        let sleeps = SleepRecorder()
        let response = try client(sleeps: sleeps).send(HTTPRequest(url: server.url), policy: .standard)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(sleeps.values, [.seconds(3)])
    }

    func testDoesNotRetryA400() throws {
        let server = try ScriptedHTTPServer(replies: [.init(status: 400, body: "bad"), .init(status: 200)])
        let response = try client().send(HTTPRequest(url: server.url), policy: .standard)
        XCTAssertEqual(response.status, 400)
        XCTAssertEqual(server.received.count, 1)
    }

    func testNeverPolicyDoesNotRepeatA500() throws {
        let server = try ScriptedHTTPServer(replies: [.init(status: 500), .init(status: 200)])
        let response = try client().send(HTTPRequest(method: "POST", url: server.url), policy: .never)
        XCTAssertEqual(response.status, 500)
        XCTAssertEqual(server.received.count, 1)
    }

    func testTimeoutIsReportedAsTimeoutWithCurlText() throws {
        let server = try ScriptedHTTPServer(replies: [.init(status: 200, delay: 3)])
        var request = HTTPRequest(url: server.url + "/slow?api_key=supersecretvalue123")
        request.timeout = .milliseconds(500)
        XCTAssertThrowsError(try client().send(request, policy: .never)) { error in
            guard let error = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .timeout)
            XCTAssertTrue(error.requestMayHaveArrived)
            XCTAssertTrue(error.message.lowercased().contains("timed out"), error.message)
            XCTAssertFalse(error.description.contains("supersecretvalue123"), "the query string must not leak")
        }
    }

    func testTimeoutsAreRetriedUnderTheStandardPolicy() throws {
        let server = try ScriptedHTTPServer(replies: [.init(status: 200, delay: 2), .init(status: 200, body: "late")])
        var request = HTTPRequest(url: server.url)
        request.timeout = .milliseconds(500)
        let response = try client().send(request, policy: .standard)
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self), "late")
        XCTAssertEqual(server.received.count, 2)
    }

    func testRefusedConnectionIsAConnectError() throws {
        let port = try FreePort.allocate()
        XCTAssertThrowsError(try client().send(HTTPRequest(url: "http://127.0.0.1:\(port)/"), policy: .never)) { error in
            XCTAssertEqual((error as? HTTPError)?.kind, .connect)
            XCTAssertFalse((error as? HTTPError)?.requestMayHaveArrived ?? true)
        }
    }

    func testTotalBudgetStopsRetries() throws {
        let server = try ScriptedHTTPServer(replies: [.init(status: 503, headers: ["Retry-After": "1"])])
        let policy = RetryPolicy(maxAttempts: 10, initialDelay: .seconds(1), maxDelay: .seconds(8), totalBudget: .milliseconds(2500))
        let sleeps = SleepRecorder()
        let response = try client(sleeps: sleeps).send(HTTPRequest(url: server.url), policy: policy)
        XCTAssertEqual(response.status, 503)
        // Two waits of one second fit in 2.5 s; a third would not.
        XCTAssertEqual(sleeps.values, [.seconds(1), .seconds(1)])
        XCTAssertEqual(server.received.count, 3)
    }
}

/// Records the waits the retry loop asks for instead of sleeping.
final class SleepRecorder: Sendable {
    private let recorded = LockedValue<[Duration]>([])
    func record(_ value: Duration) { recorded.withLock { $0.append(value) } }
    var values: [Duration] { recorded.current }
}
