import Dispatch
import XCTest

import AutopodSupport

final class LockedValueTests: XCTestCase {
    /// Many threads doing read-modify-write at once: every increment must land. A get followed
    /// by a separate set (`box.value += 1` on a box that locks each access) loses some here.
    func testConcurrentIncrementsFromManyThreadsGiveTheExactCount() {
        let counter = LockedValue(0)
        let threads = 16
        let perThread = 20_000
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<perThread { counter.withLock { $0 += 1 } }
        }
        XCTAssertEqual(counter.current, threads * perThread)
    }

    func testStateStructChangesTogether() {
        struct State {
            var taken: [Int] = []
            var count = 0
        }
        let state = LockedValue(State())
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for i in 0..<1_000 {
                state.withLock {
                    $0.taken.append(worker * 1_000 + i)
                    $0.count += 1
                }
            }
        }
        let final = state.current
        XCTAssertEqual(final.count, 8_000)
        XCTAssertEqual(final.taken.count, final.count, "both fields change under the same lock")
        XCTAssertEqual(Set(final.taken).count, 8_000)
    }

    func testWithLockReturnsTheBodysResultAndKeepsItsChange() {
        let value = LockedValue([1, 2])
        let removed = value.withLock { $0.removeFirst() }
        XCTAssertEqual(removed, 1)
        XCTAssertEqual(value.current, [2])
        value.set([7])
        XCTAssertEqual(value.current, [7])
    }

    func testAThrowingBodyRethrowsAndReleasesTheLock() {
        struct Refused: Error {}
        let value = LockedValue(0)
        XCTAssertThrowsError(
            try value.withLock { v -> Void in
                v = 5
                throw Refused()
            })
        // The lock was released (this would deadlock otherwise), and the change made before
        // the throw is kept, as with any inout argument.
        XCTAssertEqual(value.withLock { $0 }, 5)
    }
}
