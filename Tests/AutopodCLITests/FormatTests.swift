import AutopodCore
import XCTest

@testable import AutopodCLI

/// Money, durations, GPU names and byte counts as every command shows them.
final class FormatTests: XCTestCase {
    func testDollars() {
        XCTAssertEqual(Format.dollars(nil), "—")
        XCTAssertEqual(Format.dollars(0), "$0.00")
        XCTAssertEqual(Format.dollars(0.004), "$0.0040", "under a cent keeps four places")
        XCTAssertEqual(Format.dollars(0.01), "$0.01")
        XCTAssertEqual(Format.dollars(1.5), "$1.50")
        XCTAssertEqual(Format.dollars(12.346), "$12.35")
    }

    func testPricePerHour() {
        XCTAssertEqual(Format.perHour(nil), "—")
        XCTAssertEqual(Format.perHour(0), "—", "no price is not a free GPU")
        XCTAssertEqual(Format.perHour(0.44), "$0.440/hr")
        XCTAssertEqual(Format.perHour(2.99), "$2.990/hr")
    }

    func testDurations() {
        XCTAssertEqual(Format.duration(0), "0s")
        XCTAssertEqual(Format.duration(59.9), "59s")
        XCTAssertEqual(Format.duration(75), "1m 15s")
        XCTAssertEqual(Format.duration(3725), "1h 02m")
        XCTAssertEqual(Format.duration(90_061), "25h 01m")
    }

    func testGPUNamesCountOnlyWhenMoreThanOne() {
        var record = PodRecord(
            id: "p1", name: "autopod-1", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 1, cloudType: .secure,
            pricePerHour: 0.44, createdAt: Date(timeIntervalSince1970: 0))
        XCTAssertEqual(Format.gpu(record), "A40")
        record.gpuCount = 2
        XCTAssertEqual(Format.gpu(record), "2× A40")
    }

    func testDatesAreMinuteStamps() {
        let text = Format.date(Date(timeIntervalSince1970: 1_795_000_000))
        XCTAssertNotNil(text.wholeMatch(of: #/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/#), text)
    }
}
