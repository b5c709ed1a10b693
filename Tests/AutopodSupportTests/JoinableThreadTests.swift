import AutopodSupport
import XCTest

final class JoinableThreadTests: XCTestCase {
    /// The body runs on another thread, held at a pipe until the test writes to it, and `join`
    /// returns only after it finished.
    func testBodyRunsOnItsOwnThreadAndJoinWaitsForIt() throws {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { fds.forEach { close($0) } }
        let gate = fds[0]
        let ranOn = LockedValue<pthread_t?>(nil)
        let finished = LockedValue(false)
        let thread = try XCTUnwrap(
            JoinableThread.start {
                var byte: UInt8 = 0
                _ = read(gate, &byte, 1)
                ranOn.set(pthread_self())
                finished.set(true)
            })
        XCTAssertFalse(finished.current, "the body waits at the gate")
        var byte: UInt8 = 1
        XCTAssertEqual(write(fds[1], &byte, 1), 1)
        thread.join()
        XCTAssertTrue(finished.current)
        XCTAssertEqual(pthread_equal(try XCTUnwrap(ranOn.current), pthread_self()), 0)
    }
}
