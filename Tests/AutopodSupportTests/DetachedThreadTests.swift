import AutopodSupport
import Dispatch
import XCTest

/// Each body started on a detached thread runs exactly once, on a thread of its own, even when
/// many are started at the same moment from several threads.
final class DetachedThreadTests: XCTestCase {
    func testEveryBodyRunsExactlyOnceWhenStartedConcurrently() {
        let count = 200
        let ran = LockedValue<[Int]>([])
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.concurrentPerform(iterations: count) { n in
            XCTAssertTrue(
                DetachedThread.start {
                    ran.withLock { $0.append(n) }
                    done.signal()
                })
        }
        for _ in 0..<count {
            XCTAssertEqual(done.wait(timeout: .now() + 30), .success, "a started body never ran")
        }
        XCTAssertEqual(ran.current.sorted(), Array(0..<count))
    }

    func testABodyThatBlocksDoesNotHoldUpTheNext() {
        let release = DispatchSemaphore(value: 0)
        let second = DispatchSemaphore(value: 0)
        XCTAssertTrue(DetachedThread.start { release.wait() })
        XCTAssertTrue(DetachedThread.start { second.signal() })
        XCTAssertEqual(second.wait(timeout: .now() + 30), .success, "the second body waited for the first")
        release.signal()
    }
}
