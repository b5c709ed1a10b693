import AutopodCore
import XCTest

final class ISO8601TimestampTests: XCTestCase {
    func testWritesWhatTheFormatStylesWrite() {
        let withMillis = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let plain = Date.ISO8601FormatStyle()
        var generator = SystemRandomNumberGenerator()
        var times: [Double] = [0, -0.000_1, 951_782_400.999_9, 1_798_761_599.999_999, 4_102_444_800.5]
        for _ in 0..<2000 { times.append(Double.random(in: -2e9...5e9, using: &generator)) }
        for time in times {
            let date = Date(timeIntervalSince1970: time)
            XCTAssertEqual(ISO8601Timestamp.format(date, milliseconds: true), withMillis.format(date), "\(time)")
            XCTAssertEqual(ISO8601Timestamp.format(date, milliseconds: false), plain.format(date), "\(time)")
        }
    }

    func testReadsBackExactlyWhatItWrote() {
        // Writing truncates, so a date read a hair short of its millisecond would be written back
        // one millisecond earlier.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let date = Date(timeIntervalSince1970: Double.random(in: 5e8...4e9, using: &generator))
            let text = ISO8601Timestamp.format(date, milliseconds: true)
            let read = ISO8601Timestamp.parse(text)
            XCTAssertEqual(read.map { ISO8601Timestamp.format($0, milliseconds: true) }, text)
            XCTAssertEqual(read?.timeIntervalSince(date) ?? 1, 0, accuracy: 0.001)
        }
    }

    func testReadsWhatTheFormatStyleReads() throws {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for text in ["2027-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2026-11-28T00:25:56.684Z", "1999-12-31T12:00:00.001Z"] {
            let date = try XCTUnwrap(ISO8601Timestamp.parse(text), text)
            XCTAssertEqual(date.timeIntervalSince1970, try style.parse(text).timeIntervalSince1970, accuracy: 0.000_001, text)
        }
        XCTAssertEqual(ISO8601Timestamp.parse("2027-01-01T12:30:15Z"), try Date.ISO8601FormatStyle().parse("2027-01-01T12:30:15Z"))
    }

    func testLeavesOtherFormsToTheFormatStyle() {
        for text in [
            "2027-01-01T12:00:00+01:00", "2027-01-01 12:00:00Z", "2027-01-01T12:00:00.5Z", "2027-01-01T12:00:00.123456Z",
            "2023-02-29T00:00:00Z", "2027-13-01T00:00:00Z", "2027-01-01T24:00:00Z", "2027-01-01T12:00:00", "", "x",
        ] {
            XCTAssertNil(ISO8601Timestamp.parse(text), text)
        }
    }
}
