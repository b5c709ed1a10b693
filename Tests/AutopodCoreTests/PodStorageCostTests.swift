import AutopodCore
import XCTest

/// Storage in a pod's cost: per second, at RunPod's running and stopped rates.
final class PodStorageCostTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let month = 30.0 * 86_400

    func record(_ intervals: [RunningInterval], storage: PodStorage, price: Double = 0.40, terminatedAt: Date? = nil) -> PodRecord {
        PodRecord(
            id: "p1", name: "autopod-x", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 1, cloudType: .secure,
            pricePerHour: price, createdAt: t0, intervals: intervals, terminatedAt: terminatedAt, storage: storage)
    }

    func testARunningPodPaysContainerDiskAndVolumeAtTheRunningRatePerSecond() {
        let r = record([RunningInterval(start: t0)], storage: PodStorage(containerDiskGB: 20, volumeGB: 50))
        let costs = PodCost.breakdown(r, now: t0 + 3600)
        XCTAssertEqual(costs.compute, 0.40, accuracy: 1e-9)
        // 70 GB at $0.10/GB/month for one hour.
        XCTAssertEqual(costs.storage, 70 * 0.10 * 3600 / month, accuracy: 1e-9)
        XCTAssertEqual(costs.total, costs.compute + costs.storage, accuracy: 1e-12)
        // One second more is charged: storage is per second, not per hour.
        let later = PodCost.breakdown(r, now: t0 + 3601)
        XCTAssertEqual(later.storage - costs.storage, 70 * 0.10 / month, accuracy: 1e-12)
    }

    func testAStoppedPodPaysOnlyItsVolumeAtTwiceTheRate() {
        // Ran an hour, then stopped for a day.
        let r = record([RunningInterval(start: t0, end: t0 + 3600)], storage: PodStorage(containerDiskGB: 20, volumeGB: 50))
        let costs = PodCost.breakdown(r, now: t0 + 3600 + 86_400)
        XCTAssertEqual(costs.compute, 0.40, accuracy: 1e-9)
        let running = 70 * 0.10 * 3600 / month
        let stopped = 50 * 0.20 * 86_400 / month
        XCTAssertEqual(costs.storage, running + stopped, accuracy: 1e-9)
        // 50 GB stopped for a 30-day month is $10, as RunPod's pricing page says.
        XCTAssertEqual(PodCost.stoppedPerDay(r) * 30, 10, accuracy: 1e-9)
    }

    func testMixedIntervalsCountEachStretchAtItsOwnRate() {
        // run 1 h, stopped 2 h, run 30 min, stopped until terminated 1 h later, then nothing.
        let intervals = [RunningInterval(start: t0, end: t0 + 3600), RunningInterval(start: t0 + 10_800, end: t0 + 12_600)]
        let r = record(intervals, storage: PodStorage(containerDiskGB: 10, volumeGB: 100), terminatedAt: t0 + 16_200)
        let costs = PodCost.breakdown(r, now: t0 + 1_000_000)
        XCTAssertEqual(costs.compute, 0.40 * 1.5, accuracy: 1e-9)
        let runningStorage = (10 + 100) * 0.10 * 5400 / month
        let stoppedStorage = 100 * 0.20 * (16_200 - 5400) / month
        XCTAssertEqual(costs.storage, runningStorage + stoppedStorage, accuracy: 1e-9)
        // Terminated: nothing more, and nothing per day.
        XCTAssertEqual(PodCost.breakdown(r, now: t0 + 2_000_000), costs)
        XCTAssertEqual(PodCost.stoppedPerDay(r), 0)
    }

    func testAWindowCountsOnlyItsOwnSeconds() {
        let r = record([RunningInterval(start: t0, end: t0 + 3600)], storage: PodStorage(volumeGB: 30))
        // The window holds the last 10 minutes of the run and 20 minutes stopped.
        let part = PodCost.breakdown(r, from: t0 + 3000, to: t0 + 4800, now: t0 + 99_999)
        XCTAssertEqual(part.compute, 0.40 * 600 / 3600, accuracy: 1e-9)
        XCTAssertEqual(part.storage, 30 * (0.10 * 600 + 0.20 * 1200) / month, accuracy: 1e-9)
        // Windows that tile time add up to the whole.
        let whole = PodCost.breakdown(r, now: t0 + 7200)
        let halves =
            PodCost.breakdown(r, from: .distantPast, to: t0 + 1234, now: t0 + 7200)
            + PodCost.breakdown(r, from: t0 + 1234, to: t0 + 7200, now: t0 + 7200)
        XCTAssertEqual(halves.total, whole.total, accuracy: 1e-12)
    }

    func testNetworkVolumesCostTheSameRunningOrStoppedAndLessFromOneTerabyte() {
        let small = record([RunningInterval(start: t0, end: t0 + 86_400)], storage: PodStorage(networkVolumeGB: 100), price: 0)
        XCTAssertEqual(PodCost.breakdown(small, now: t0 + 2 * 86_400).storage, 100 * 0.07 * 2 * 86_400 / month, accuracy: 1e-9)
        XCTAssertEqual(StoragePrice.networkVolume(gigabytes: 999), 0.07)
        XCTAssertEqual(StoragePrice.networkVolume(gigabytes: 1000), 0.05)
    }

    func testRecordsWithoutDisksCostTheirGPUsOnly() {
        let r = record([RunningInterval(start: t0, end: t0 + 7200)], storage: .none)
        XCTAssertEqual(PodCost.breakdown(r, now: t0 + 99_999), PodCost.Breakdown(compute: 0.80, storage: 0))
    }
}
