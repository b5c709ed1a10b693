import XCTest

import AutopodSupport

final class DeadlineTests: XCTestCase {
    func testADeadlineInTheFutureHasNotPassedAndHasAtMostItsDurationLeft() {
        let deadline = Deadline.after(.seconds(60))
        XCTAssertFalse(deadline.hasPassed)
        XCTAssertLessThanOrEqual(deadline.remaining, .seconds(60))
        XCTAssertGreaterThan(deadline.remaining, .seconds(50))
    }

    func testAPassedDeadlineHasNothingLeftNeverANegativeRemainder() {
        let deadline = Deadline.after(.seconds(-5))
        XCTAssertTrue(deadline.hasPassed)
        XCTAssertEqual(deadline.remaining, .zero)
        XCTAssertEqual(deadline.remaining.pollMilliseconds, 0)
        XCTAssertTrue(Deadline.after(.zero).hasPassed)
    }

    func testADeadlinePassesOnceItsDurationHasGoneBy() {
        let deadline = Deadline.after(.milliseconds(30))
        let start = ContinuousClock.now
        // nanosleep waits at least as long as asked, on a clock that never runs ahead of this one.
        Sleep.for(.milliseconds(30))
        XCTAssertTrue(deadline.hasPassed)
        XCTAssertGreaterThanOrEqual(start.elapsed, .milliseconds(30))
    }

    func testDeadlinesOrderByTheirInstant() {
        let soon = Deadline.after(.seconds(1))
        let later = Deadline.after(.seconds(2))
        XCTAssertLessThan(soon, later)
        XCTAssertEqual(min(later, soon), soon)
    }

    func testSecondsKeepTheFraction() {
        XCTAssertEqual(Duration.milliseconds(1500).seconds, 1.5)
        XCTAssertEqual(Duration.seconds(0.25).seconds, 0.25, accuracy: 1e-12)
        XCTAssertEqual(Duration.seconds(-2).seconds, -2)
        XCTAssertEqual(Duration.zero.seconds, 0)
        XCTAssertEqual(Duration.nanoseconds(1).seconds, 1e-9, accuracy: 1e-18)
    }

    func testPollMillisecondsRoundUpAndClamp() {
        XCTAssertEqual(Duration.seconds(2).pollMilliseconds, 2000)
        // Rounded up: a poll for less than a millisecond would return at once and spin.
        XCTAssertEqual(Duration.microseconds(1).pollMilliseconds, 1)
        XCTAssertEqual(Duration.microseconds(1500).pollMilliseconds, 2)
        XCTAssertEqual(Duration.zero.pollMilliseconds, 0)
        XCTAssertEqual(Duration.seconds(-1).pollMilliseconds, 0)
        XCTAssertEqual(Duration.seconds(100 * 24 * 3600).pollMilliseconds, Int32.max)
    }

    func testWholeSecondsRoundToTheNearest() {
        XCTAssertEqual(Duration.seconds(10).wholeSeconds, 10)
        XCTAssertEqual(Duration.milliseconds(1499).wholeSeconds, 1)
        XCTAssertEqual(Duration.milliseconds(1500).wholeSeconds, 2)
        XCTAssertEqual(Duration.milliseconds(200).wholeSeconds, 0)
    }
}
