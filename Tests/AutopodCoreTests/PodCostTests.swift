import AutopodCore
import XCTest

final class PodCostTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func record(intervals: [RunningInterval], price: Double = 0.80) -> PodRecord {
        PodRecord(
            id: "p1", name: "autopod-x", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 2, cloudType: .secure,
            pricePerHour: price, createdAt: t0, intervals: intervals)
    }

    func testClosedIntervalsAddUp() {
        let r = record(intervals: [
            RunningInterval(start: t0, end: t0 + 3600),
            RunningInterval(start: t0 + 7200, end: t0 + 9000),
        ])
        XCTAssertEqual(PodCost.runningSeconds(r, now: t0 + 100_000), 5400, accuracy: 0.001)
        XCTAssertEqual(PodCost.cost(r, now: t0 + 100_000), 1.20, accuracy: 0.0001)
    }

    func testOpenIntervalRunsUntilNow() {
        let r = record(intervals: [RunningInterval(start: t0)])
        XCTAssertEqual(PodCost.cost(r, now: t0 + 1800), 0.40, accuracy: 0.0001)
    }

    func testReportedUptimeOnlyRaisesTheOpenInterval() {
        let r = record(intervals: [RunningInterval(start: t0, end: t0 + 600), RunningInterval(start: t0 + 1000)])
        // autopod saw the second start late: RunPod says 900 s, autopod measured 200 s.
        XCTAssertEqual(PodCost.runningSeconds(r, now: t0 + 1200, reportedUptime: 900), 1500, accuracy: 0.001)
        // uptime 0 (RunPod's uptimeSeconds bug) never lowers the measurement.
        XCTAssertEqual(PodCost.runningSeconds(r, now: t0 + 1200, reportedUptime: 0), 800, accuracy: 0.001)
    }

    func testStoppedPodCostsNothingMore() {
        var r = record(intervals: [])
        r.markRunning(at: t0)
        r.markStopped(at: t0 + 360)
        XCTAssertEqual(PodCost.cost(r, now: t0 + 99_999), 0.08, accuracy: 0.0001)
        r.markRunning(at: t0 + 1000)
        r.markRunning(at: t0 + 1100)  // already open: no second interval
        XCTAssertEqual(r.intervals.count, 2)
        r.markTerminated(at: t0 + 1360)
        XCTAssertEqual(PodCost.cost(r, now: t0 + 99_999), 0.16, accuracy: 0.0001)
        XCTAssertEqual(r.terminatedAt, t0 + 1360)
    }
}
