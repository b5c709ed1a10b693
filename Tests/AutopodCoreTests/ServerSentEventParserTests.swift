@testable import AutopodCore
import XCTest

final class ServerSentEventParserTests: XCTestCase {
    /// Feeds `text` cut into pieces of `size` bytes, as a network would.
    func events(_ text: String, pieces size: Int, parser: inout ServerSentEventParser) -> [ServerSentEvent] {
        let bytes = Array(text.utf8)
        var out: [ServerSentEvent] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + size)
            out += parser.feed(Array(bytes[index..<end]))
            index = end
        }
        return out
    }

    func testEventsWhateverTheChunking() {
        let stream = ": keep-alive\n\nid: 1\ndata: {\"line\":\"a\"}\n\nid: 2\r\ndata: first\r\ndata: second\r\n\r\ndata:no space\rid: 3\r\r"
        let expected = [
            ServerSentEvent(id: "1", data: #"{"line":"a"}"#),
            ServerSentEvent(id: "2", data: "first\nsecond"),
            ServerSentEvent(id: "3", data: "no space"),
        ]
        for size in [1, 2, 3, 7, 1000] {
            var parser = ServerSentEventParser()
            XCTAssertEqual(events(stream, pieces: size, parser: &parser), expected, "pieces of \(size)")
            XCTAssertEqual(parser.lastEventID, "3")
        }
    }

    func testIdCarriesOverAndCommentsAreIgnored() {
        var parser = ServerSentEventParser()
        let got = events("id: 7\ndata: a\n\n: nothing\n\ndata: b\n\nevent: x\nretry: 500\ndata: c\n\n", pieces: 5, parser: &parser)
        XCTAssertEqual(got.map(\.id), ["7", "7", "7"])
        XCTAssertEqual(got.map(\.data), ["a", "b", "c"])
        XCTAssertEqual(got.last?.event, "x")
        XCTAssertEqual(parser.retryMilliseconds, 500)
    }

    func testAnOverlongLineIsCutNotKept() {
        var parser = ServerSentEventParser(maxLineBytes: 64, maxEventBytes: 128)
        let long = String(repeating: "x", count: 10_000)
        let got = events("data: \(long)\n\ndata: short\n\n", pieces: 999, parser: &parser)
        XCTAssertEqual(got.count, 2)
        XCTAssertEqual(got.first?.truncated, true)
        XCTAssertLessThanOrEqual(got.first?.data.utf8.count ?? .max, 64)
        XCTAssertEqual(got.last, ServerSentEvent(id: nil, data: "short"))
        let many = String(repeating: "data: 0123456789\n", count: 100) + "\n"
        let big = events(many, pieces: 13, parser: &parser)
        XCTAssertEqual(big.first?.truncated, true)
        XCTAssertLessThanOrEqual(big.first?.data.utf8.count ?? .max, 128)
    }

    func testLogEventsBecomeLines() {
        let line = PodLogFollower.line(
            from: ServerSentEvent(id: "2027-01-05T10:00:00.123Z/000000000001", data: #"{"ts":"2027-01-05T10:00:00.123Z","source":"container","line":"hello"}"#))
        XCTAssertEqual(line, PodLogLine(id: "2027-01-05T10:00:00.123Z/000000000001", timestamp: "2027-01-05T10:00:00.123Z", source: "container", text: "hello"))
        XCTAssertEqual(PodLogFollower.line(from: ServerSentEvent(id: nil, data: "plain text")).text, "plain text")
        var recent = RecentKeys(capacity: 2)
        recent.insert("a")
        recent.insert("b")
        recent.insert("c")
        XCTAssertFalse(recent.contains("a"), "the oldest key is forgotten first")
        XCTAssertTrue(recent.contains("b") && recent.contains("c"))
    }
}
