import AutopodCore
import XCTest

final class PodNamingTests: XCTestCase {
    let utc = TimeZone(identifier: "UTC")!
    // 2026-11-27 12:00 UTC
    let day = Date(timeIntervalSince1970: 1_795_780_800)

    func testFirstPodOfTheDay() {
        XCTAssertEqual(PodNaming.nextName(on: day, taken: [], timeZone: utc), "autopod-2026-11-27-001")
    }

    func testDayThatAlreadyHasPods() {
        let taken = ["autopod-2026-11-27-001", "autopod-2026-11-27-004", "autopod-2026-11-26-009", "my-pod"]
        XCTAssertEqual(PodNaming.nextName(on: day, taken: taken, timeZone: utc), "autopod-2026-11-27-005")
    }

    func testOtherDaysAndForeignNamesDoNotCount() {
        let taken = ["autopod-2026-11-26-007", "autopod-2026-11-27-x", "autopod-2026-11-270-001"]
        XCTAssertEqual(PodNaming.nextName(on: day, taken: taken, timeZone: utc), "autopod-2026-11-27-001")
    }

    func testDayFollowsTheTimeZone() {
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let lateUTC = Date(timeIntervalSince1970: 1_795_780_800 + 11 * 3600)  // 23:00 UTC = 08:00 next day in Tokyo
        XCTAssertEqual(PodNaming.dayStamp(lateUTC, timeZone: utc), "2026-11-27")
        XCTAssertEqual(PodNaming.dayStamp(lateUTC, timeZone: tokyo), "2026-11-28")
    }
}
