import AutopodSupport
@testable import AutopodCore
import XCTest

/// The retry schedule as durations: exponential backoff with jitter, capped by `maxDelay`, and
/// a server's Retry-After capped by the total budget.
final class RetryPolicyTests: XCTestCase {
    let policy = RetryPolicy(maxAttempts: 10, initialDelay: .milliseconds(500), maxDelay: .seconds(8), totalBudget: .seconds(45))

    func testEachRetryWaitsBetweenHalfAndAllOfADoublingDelay() {
        let expected: [Duration] = [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8)]
        for (index, full) in expected.enumerated() {
            let retry = index + 1
            XCTAssertEqual(policy.delay(beforeRetry: retry, retryAfter: nil, random: 0), full / 2, "retry \(retry)")
            XCTAssertEqual(policy.delay(beforeRetry: retry, retryAfter: nil, random: 1), full, "retry \(retry)")
            let middle = policy.delay(beforeRetry: retry, retryAfter: nil, random: 0.5)
            XCTAssertEqual(middle.seconds, full.seconds * 0.75, accuracy: 1e-9, "retry \(retry)")
        }
    }

    func testTheDelayStopsGrowingAtMaxDelay() {
        XCTAssertEqual(policy.delay(beforeRetry: 6, retryAfter: nil, random: 1), .seconds(8))
        XCTAssertEqual(policy.delay(beforeRetry: 40, retryAfter: nil, random: 1), .seconds(8))
        // A retry count far past any real one must not overflow before the cap applies.
        XCTAssertEqual(policy.delay(beforeRetry: 10_000, retryAfter: nil, random: 1), .seconds(8))
    }

    func testRetryAfterIsHonouredUpToTheBudget() {
        XCTAssertEqual(policy.delay(beforeRetry: 1, retryAfter: .seconds(3), random: 0), .seconds(3))
        XCTAssertEqual(policy.delay(beforeRetry: 1, retryAfter: .seconds(600), random: 0), .seconds(45))
        XCTAssertEqual(policy.delay(beforeRetry: 1, retryAfter: .zero, random: 1), .zero)
    }

    func testTheStandardPolicyStartsAtHalfASecondAndNeverWaitsLongerThanEight() {
        XCTAssertEqual(RetryPolicy.standard.delay(beforeRetry: 1, retryAfter: nil, random: 1), .milliseconds(500))
        XCTAssertEqual(RetryPolicy.standard.delay(beforeRetry: 5, retryAfter: nil, random: 1), .seconds(8))
        XCTAssertEqual(RetryPolicy.never.maxAttempts, 1)
    }
}
