import AutopodCore
import Foundation
import XCTest

final class PodNamingTests: XCTestCase {
    // 2026-11-27 12:00 UTC
    let day = Date(timeIntervalSince1970: 1_795_780_800)

    func testFirstPodOfTheDay() {
        XCTAssertEqual(PodNaming.nextName(on: day, taken: [], utcOffset: 0), "autopod-2026-11-27-001")
    }

    func testDayThatAlreadyHasPods() {
        let taken = ["autopod-2026-11-27-001", "autopod-2026-11-27-004", "autopod-2026-11-26-009", "my-pod"]
        XCTAssertEqual(PodNaming.nextName(on: day, taken: taken, utcOffset: 0), "autopod-2026-11-27-005")
    }

    func testOtherDaysAndForeignNamesDoNotCount() {
        let taken = ["autopod-2026-11-26-007", "autopod-2026-11-27-x", "autopod-2026-11-270-001"]
        XCTAssertEqual(PodNaming.nextName(on: day, taken: taken, utcOffset: 0), "autopod-2026-11-27-001")
    }

    func testDayFollowsTheOffset() {
        let lateUTC = Date(timeIntervalSince1970: 1_795_780_800 + 11 * 3600)  // 23:00 UTC = 08:00 next day in Tokyo
        XCTAssertEqual(PodNaming.dayStamp(lateUTC, utcOffset: 0), "2026-11-27")
        XCTAssertEqual(PodNaming.dayStamp(lateUTC, utcOffset: 9 * 3600), "2026-11-28")
        XCTAssertEqual(PodNaming.dayStamp(day, utcOffset: -13 * 3600), "2026-11-26")
    }

    /// Without an offset the day is the user's: TZ as the C library reads it (FoundationEssentials'
    /// own TimeZone.current would always say GMT).
    func testDayFollowsTheUsersTimeZone() {
        let saved = getenv("TZ").map { String(cString: $0) }
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        let lateUTC = Date(timeIntervalSince1970: 1_795_780_800 + 11 * 3600)
        setenv("TZ", "Asia/Tokyo", 1)
        tzset()
        XCTAssertEqual(PodNaming.dayStamp(lateUTC), "2026-11-28")
        XCTAssertEqual(CivilTime(lateUTC).minuteStamp, "2026-11-28 08:00")
        setenv("TZ", "UTC", 1)
        tzset()
        XCTAssertEqual(PodNaming.dayStamp(lateUTC), "2026-11-27")
    }
}
