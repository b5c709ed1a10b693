import AutopodSupport
import AutopodCore
import Foundation
import TestSupport
import XCTest

/// Replies over the size cap end with an error that says so instead of filling memory.
final class HTTPLimitsTests: XCTestCase {
    func testReplyOverSixteenMegabytesIsRefused() throws {
        let big = String(repeating: "x", count: 17 << 20)
        let server = try ScriptedHTTPServer(replies: [.init(status: 200, body: big)])
        defer { server.stop() }
        let client = HTTPClient(transport: CurlHTTPClient(), sleep: { _ in })
        XCTAssertThrowsError(try client.send(HTTPRequest(url: server.url + "/graphql"), policy: .standard)) { error in
            guard let error = error as? HTTPError else { return XCTFail("\(error)") }
            XCTAssertEqual(error.kind, .tooLarge)
            XCTAssertTrue(error.description.contains("larger than 16 MB"), error.description)
        }
        XCTAssertEqual(server.received.count, 1, "a reply too large is not asked for again")
    }

    func testReplyUnderTheCapIsRead() throws {
        let server = try ScriptedHTTPServer(replies: [.init(status: 200, body: String(repeating: "y", count: 1 << 20))])
        defer { server.stop() }
        let response = try CurlHTTPClient().perform(HTTPRequest(url: server.url + "/graphql"))
        XCTAssertEqual(response.body.count, 1 << 20)
    }
}
