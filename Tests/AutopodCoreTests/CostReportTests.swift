import AutopodCore
import XCTest

/// `autopod cost`'s arithmetic: windows, grouping, and the comparison with billing records.
final class CostReportTests: XCTestCase {
    /// 2027-01-15T00:00:00Z
    let day = Date(timeIntervalSince1970: 1_799_971_200)

    func pod(_ id: String, created: Date, runs: [RunningInterval], volumeGB: Int = 100, price: Double = 0.36) -> PodRecord {
        PodRecord(
            id: id, name: "pod-\(id)", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 1, cloudType: .secure,
            pricePerHour: price, createdAt: created, intervals: runs, storage: PodStorage(containerDiskGB: 20, volumeGB: volumeGB))
    }

    func testTotalsAreTheSumOfTheRowsByPodAndByDay() {
        // One pod across midnight, one stopped all of the second day.
        let a = pod("a", created: day + 79_200, runs: [RunningInterval(start: day + 79_200, end: day + 90_000)])
        let b = pod("b", created: day + 3600, runs: [RunningInterval(start: day + 3600, end: day + 7200)])
        let now = day + 86_400 + 43_200
        let byPod = CostReport(records: [a, b], billing: nil, from: day, to: now, by: .pod)
        let byDay = CostReport(records: [a, b], billing: nil, from: day, to: now, by: .day)
        XCTAssertEqual(byPod.rows.count, 2)
        XCTAssertEqual(byDay.rows.map(\.label), ["2027-01-15", "2027-01-16"])
        XCTAssertEqual(byPod.totals.total, byDay.totals.total, accuracy: 1e-9)
        let whole = PodCost.breakdown(a, now: now) + PodCost.breakdown(b, now: now)
        XCTAssertEqual(byPod.totals.compute, whole.compute, accuracy: 1e-9)
        XCTAssertEqual(byPod.totals.storage, whole.storage, accuracy: 1e-9)
        // The second day holds the last hour of a's run and b stopped (to noon).
        XCTAssertEqual(byDay.rows[1].costs.compute, 0.36, accuracy: 1e-9)
        XCTAssertNil(byPod.difference)
        XCTAssertFalse(byPod.reconciled)
    }

    func testAWindowLeavesOutPodsThatWereGoneBeforeIt() {
        var old = pod("old", created: day - 10 * 86_400, runs: [RunningInterval(start: day - 10 * 86_400, end: day - 9 * 86_400)])
        old.markTerminated(at: day - 9 * 86_400)
        let report = CostReport(records: [old], billing: nil, from: day, to: day + 3600, by: .pod)
        XCTAssertTrue(report.rows.isEmpty)
        XCTAssertEqual(report.totals.total, 0)
    }

    func testBillingIsMatchedByPodAndByDayAndPodsAutopodLacksGetTheirOwnRow() {
        let a = pod("a", created: day, runs: [RunningInterval(start: day, end: day + 3600)])
        let now = day + 7200
        let ours = PodCost.breakdown(a, now: now).total
        let billing = [
            BillingRecord(podId: "a", start: day, end: day + 86_400, gpu: 0.36, cpu: 0, disk: ours - 0.36 + 0.004, total: ours + 0.004),
            BillingRecord(podId: "stranger", start: day, end: day + 86_400, gpu: 1, cpu: 0, disk: 0, total: 1),
        ]
        let report = CostReport(records: [a], billing: billing, from: day, to: now, by: .pod)
        XCTAssertEqual(report.rows.count, 2)
        XCTAssertEqual(report.rows[0].difference ?? 0, 0.004, accuracy: 1e-9)
        XCTAssertEqual(report.rows[1].podId, "stranger")
        XCTAssertEqual(report.rows[1].costs.total, 0)
        XCTAssertEqual(report.difference ?? 0, 1.004, accuracy: 1e-9)
        let byDay = CostReport(records: [a], billing: billing, from: day, to: now, by: .day)
        XCTAssertEqual(byDay.rows.count, 1)
        XCTAssertEqual(byDay.billedTotal ?? 0, ours + 1.004, accuracy: 1e-9)
    }

    func testWindowsStartAtMidnightUTC() {
        let now = day + 86_400 * 3 + 5000
        XCTAssertEqual(CostWindow.lastDays(1, now: now).start, day + 86_400 * 3)
        XCTAssertEqual(CostWindow.lastDays(7, now: now).start, day - 86_400 * 3)
        XCTAssertEqual(CostWindow.month(now: now).start, Date(timeIntervalSince1970: 1_798_761_600))  // 2027-01-01
        XCTAssertEqual(CostWindow.days(in: "7d"), 7)
        XCTAssertEqual(CostWindow.days(in: "2w"), 14)
        XCTAssertEqual(CostWindow.days(in: "30"), 30)
        XCTAssertNil(CostWindow.days(in: "0d"))
        XCTAssertNil(CostWindow.days(in: "7h"))
    }
}
