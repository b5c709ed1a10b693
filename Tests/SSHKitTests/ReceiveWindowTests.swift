@testable import SSHKit
import XCTest

/// The window auto-tuning and budget rules as pure logic; `PortForwarderTests` and the tunnel's
/// end-to-end tests run them against a real sshd.
final class ReceiveWindowTests: XCTestCase {
    private let kib = 1024
    private let mib = 1024 * 1024

    func testAReaderThatKeepsUpDoublesTheWindowPerWindowDeliveredUpToTheCeiling() {
        var window = ReceiveWindow(floor: 256 * kib, ceiling: 16 * mib)
        var targets: [Int] = []
        for _ in 0..<8 {
            let target = window.target
            XCTAssertFalse(window.delivered(target - 1))
            XCTAssertTrue(window.delivered(1), "a whole window delivered ends the epoch")
            window.judge(unread: target / 8)
            targets.append(window.target / kib)
        }
        XCTAssertEqual(targets, [512, 1024, 2048, 4096, 8192, 16384, 16384, 16384])
    }

    func testAReaderThatLeavesNothingQuadruplesTheWindow() {
        var window = ReceiveWindow(floor: 256 * kib, ceiling: 16 * mib, start: 2 * mib)
        _ = window.delivered(2 * mib)
        window.judge(unread: 0)
        XCTAssertEqual(window.target, 8 * mib)
        _ = window.delivered(8 * mib)
        window.judge(unread: 53)
        XCTAssertEqual(window.target, 16 * mib)
    }

    func testAReaderStillBehindAfterASecondWindowHasItsWindowHalvedDownToTheFloor() {
        var window = grown(to: 2 * mib)
        XCTAssertEqual(window.target, 2 * mib)
        XCTAssertTrue(window.delivered(2 * mib))
        window.judge(unread: mib)
        XCTAssertEqual(window.target, 2 * mib, "behind once: taken for a hiccup")
        XCTAssertTrue(window.delivered(mib))
        window.judge(unread: mib)
        XCTAssertEqual(window.target, 2 * mib)
        XCTAssertTrue(window.delivered(mib))
        window.judge(unread: mib)
        XCTAssertEqual(window.target, mib, "still behind after two windows")
        for _ in 0..<5 {
            _ = window.delivered(2 * window.target)
            window.judge(unread: window.target)
        }
        XCTAssertEqual(window.target, 256 * kib)
    }

    func testAReaderThatCatchesUpAfterAHiccupStillGrowsTheWindow() {
        var window = ReceiveWindow(floor: 256 * kib, ceiling: 16 * mib, start: 4 * mib)
        _ = window.delivered(4 * mib)
        window.judge(unread: 3 * mib)
        XCTAssertEqual(window.target, 4 * mib)
        _ = window.delivered(64 * kib)
        window.judge(unread: mib)
        XCTAssertEqual(window.target, 8 * mib)
    }

    /// Loopback sockets absorb a few hundred KiB (or, once the send buffer grows, MBs) of a reader
    /// that never reads: data the socket holds unread is not data the reader took.
    func testDataLeftUnreadInTheLocalSocketDoesNotGrowTheWindow() {
        // A client that never reads: its socket takes ~128 KiB, the rest waits there.
        var window = ReceiveWindow(floor: 256 * kib, ceiling: 16 * mib)
        var delivered = 0
        while delivered < 4 * mib {
            delivered += 64 * kib
            if window.delivered(64 * kib) { window.judge(unread: max(0, delivered - 128 * kib)) }
            XCTAssertEqual(window.target, 256 * kib)
        }
    }

    func testNoGrantAtTheFloorWhichLibssh2RefillsItself() {
        let window = ReceiveWindow(floor: 256 * kib, ceiling: 16 * mib)
        XCTAssertEqual(window.topUp(credit: 0, budget: budget(limit: 64 * mib, used: 0, channels: 1)), 0)
    }

    func testGrantsRefillTheTargetOnceAQuarterIsUsed() {
        let window = grown(to: 4 * mib)
        let plenty = budget(limit: 64 * mib, used: 0, channels: 1)
        XCTAssertEqual(window.topUp(credit: 3 * mib + 1, budget: plenty), 0, "less than a quarter used: no packet yet")
        XCTAssertEqual(window.topUp(credit: 3 * mib - 1, budget: plenty), mib + 1)
        XCTAssertEqual(window.topUp(credit: 0, budget: plenty), 4 * mib)
    }

    func testASpentBudgetGrowsNoWindow() {
        let window = grown(to: 4 * mib)
        XCTAssertEqual(window.topUp(credit: 0, budget: budget(limit: 8 * mib, used: 8 * mib, channels: 2)), 0)
        XCTAssertEqual(window.topUp(credit: 0, budget: budget(limit: 8 * mib, used: 9 * mib, channels: 2)), 0)
    }

    func testAShortBudgetGoesToChannelsBelowTheirFairShare() {
        let window = grown(to: 16 * mib)
        // 8 MiB left of 64, four channels: a fair share is 16 MiB.
        let short = budget(limit: 64 * mib, used: 56 * mib, channels: 4)
        XCTAssertEqual(window.topUp(credit: 2 * mib, budget: short), 8 * mib, "below its share: what is left")
        // 6 MiB left, eight channels: a fair share is 8 MiB.
        XCTAssertEqual(window.topUp(credit: 4 * mib, budget: budget(limit: 64 * mib, used: 58 * mib, channels: 8)), 4 * mib, "up to its share")
        XCTAssertEqual(window.topUp(credit: 11 * mib, budget: budget(limit: 64 * mib, used: 62 * mib, channels: 8)), 0, "above its share: nothing")
    }

    func testGrantsTooSmallForAPacketWait() {
        let window = grown(to: 4 * mib)
        XCTAssertEqual(window.topUp(credit: 0, budget: budget(limit: 64 * mib, used: 64 * mib - 16 * kib, channels: 1)), 0)
    }

    func testNewChannelsStartLargeOnlyWhileTrustedWindowsHaveRoom() {
        // A 64 MiB budget trusts 4 MiB above the floors: two channels start at 2 MiB (1.75 MiB
        // above the floor each), the third gets what is left, the fourth only the floor.
        var b = budget(limit: 64 * mib, used: 0, channels: 0)
        var starts: [Int] = []
        for _ in 0..<4 {
            let start = b.startWindow(floor: 256 * kib, initial: 2 * mib)
            starts.append(start / kib)
            b.unproven += ReceiveWindow(floor: 256 * kib, ceiling: 16 * mib, start: start).unproven
            b.used += start
        }
        XCTAssertEqual(starts, [2048, 2048, 768, 256])
        XCTAssertEqual(b.unproven, 4 * mib)
    }

    func testAStartIsTrustedUntilTheReaderKeepsUpOrTheWindowIsBackAtTheFloor() {
        var window = ReceiveWindow(floor: 256 * kib, ceiling: 16 * mib, start: 2 * mib)
        XCTAssertEqual(window.target, 2 * mib)
        XCTAssertEqual(window.unproven, 2 * mib - 256 * kib)
        _ = window.delivered(4 * mib)
        window.judge(unread: 4 * mib)
        XCTAssertEqual(window.target, mib, "a reader that left its window unread halves it")
        XCTAssertEqual(window.unproven, mib - 256 * kib, "and has not earned what is left")
        _ = window.delivered(mib)
        window.judge(unread: 0)
        XCTAssertEqual(window.target, 4 * mib)
        XCTAssertEqual(window.unproven, 0, "a reader that kept up has earned its window")
    }

    func testAStartNeverExceedsWhatIsFree() {
        XCTAssertEqual(budget(limit: 64 * mib, used: 63 * mib, channels: 8).startWindow(floor: 256 * kib, initial: 2 * mib), 256 * kib + mib)
        XCTAssertEqual(budget(limit: 64 * mib, used: 64 * mib, channels: 8).startWindow(floor: 256 * kib, initial: 2 * mib), 256 * kib)
    }

    func testTheCeilingIsNeverBelowTheFloor() {
        XCTAssertEqual(ReceiveWindow(floor: mib, ceiling: kib).ceiling, mib)
    }

    func testHeapReleaseWaitsForAQuietSecondAfterABurst() {
        let t0 = ContinuousClock.Instant.now
        var heap = HeapRelease()
        XCTAssertNil(heap.deadline, "nothing moved: nothing to release")
        heap.moved(HeapRelease.worthwhile)
        heap.tick(now: t0)
        XCTAssertEqual(heap.deadline, t0 + HeapRelease.quietPeriod)
        heap.moved(1)
        heap.tick(now: t0 + .milliseconds(500))
        XCTAssertEqual(heap.deadline, t0 + .milliseconds(500) + HeapRelease.quietPeriod, "traffic pushes the release back")
        heap.tick(now: t0 + .milliseconds(1600))
        XCTAssertNil(heap.deadline, "released after a quiet second")
        heap.retired()
        heap.tick(now: t0 + .seconds(2))
        XCTAssertEqual(heap.deadline, t0 + .seconds(2) + HeapRelease.quietPeriod, "a closed connection frees memory too")
    }

    private func grown(to target: Int) -> ReceiveWindow {
        var window = ReceiveWindow(floor: 256 * kib, ceiling: 16 * mib)
        while window.target < target {
            _ = window.delivered(window.target)
            window.judge(unread: window.target / 8)  // doubling
        }
        return window
    }

    private func budget(limit: Int, used: Int, channels: Int) -> ForwardBudget {
        var b = ForwardBudget(limit: limit)
        b.used = used
        b.channels = channels
        return b
    }
}
