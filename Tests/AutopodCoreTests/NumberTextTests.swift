import AutopodSupport
import AutopodCore
import Foundation
import XCTest

/// The replacements for String(format:) write what printf writes.
final class NumberTextTests: XCTestCase {
    func testFixedMatchesPrintf() {
        let values: [Double] = [0, 0.4, 0.125, 0.135, 1.005, 2.5, 9.9999, 123.456, -1.5, 0.0001, 1234567.891, 1e-9]
        for value in values {
            for places in [0, 1, 2, 3, 4] {
                XCTAssertEqual(value.fixed(places), String(format: "%.\(places)f", value), "\(value) to \(places) places")
            }
        }
    }

    func testZeroPaddedMatchesPrintf() {
        for (n, width) in [(0, 2), (7, 3), (42, 2), (123, 2), (2026, 4), (-5, 3)] {
            XCTAssertEqual(n.zeroPadded(width), String(format: "%0\(width)d", n))
        }
    }

    func testHTTPDateOfRetryAfter() {
        let future = Date().addingTimeInterval(120)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let request = HTTPResponse(status: 503, headers: ["retry-after": formatter.string(from: future)], body: Data())
        let wait = try? XCTUnwrap(request.retryAfter)
        XCTAssertEqual(wait?.seconds ?? -1, 120, accuracy: 2)
        XCTAssertNil(HTTPResponse(status: 503, headers: ["retry-after": "Someday, 99 Foo 2026 25:00:00 GMT"], body: Data()).retryAfter)
        // A year no tm_year holds crashed the conversion (Int32(year - 1900)); it is not a date.
        XCTAssertNil(HTTPResponse(status: 429, headers: ["retry-after": "Sun, 06 Nov 99999999999 08:49:37 GMT"], body: Data()).retryAfter)
        XCTAssertNil(HTTPResponse(status: 429, headers: ["retry-after": "Sun, 06 Nov -99999999999 08:49:37 GMT"], body: Data()).retryAfter)
    }
}
