@testable import SSHKit
import XCTest

/// A listener's rest after failed accepts, as pure logic; `TunnelDescriptorEndToEndTests` runs
/// it in a tunnel that has run out of descriptors.
final class AcceptPauseTests: XCTestCase {
    func testRestsDoubleUpToTheLongestAndOnlyTheFirstFailureOfARunIsReported() {
        var pause = AcceptPause()
        let start = ContinuousClock.now
        XCTAssertTrue(pause.allowsAccept(at: start))
        var rests: [Duration] = []
        var firsts: [Bool] = []
        var now = start
        for _ in 0..<8 {
            let (rest, first) = pause.failed(at: now)
            rests.append(rest)
            firsts.append(first)
            XCTAssertFalse(pause.allowsAccept(at: now), "a resting listener is not polled")
            XCTAssertEqual(pause.until, now + rest)
            now += rest
            XCTAssertTrue(pause.allowsAccept(at: now), "the rest ends on time")
        }
        XCTAssertEqual(rests, [.milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600), .seconds(2), .seconds(2)])
        XCTAssertEqual(firsts, [true] + Array(repeating: false, count: 7))
    }

    func testAnAcceptedClientEndsTheRunAndTheNextFailureStartsShortAgain() {
        var pause = AcceptPause()
        let now = ContinuousClock.now
        XCTAssertFalse(pause.succeeded(), "no run of failures to end")
        _ = pause.failed(at: now)
        _ = pause.failed(at: now)
        XCTAssertTrue(pause.succeeded())
        XCTAssertNil(pause.until)
        let (rest, first) = pause.failed(at: now)
        XCTAssertEqual(rest, .milliseconds(50))
        XCTAssertTrue(first)
    }
}
