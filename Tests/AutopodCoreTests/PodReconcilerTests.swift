@testable import AutopodCore
import XCTest

final class PodReconcilerTests: XCTestCase {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    func record(_ id: String, name: String, running: Bool = true) -> PodRecord {
        var r = PodRecord(
            id: id, name: name, gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 1, cloudType: .secure,
            pricePerHour: 0.4, createdAt: t0)
        if running { r.markRunning(at: t0) }
        return r
    }

    func testPodGoneFromAccountIsTerminatedAndIntervalClosed() {
        var state = PodState(pods: [record("a", name: "one"), record("b", name: "two")])
        let b = RemotePod(id: "b", name: "two", desiredStatus: "RUNNING", hasRuntime: true)
        PodReconciler.reconcile(&state, remote: [b], gone: ["a"], now: t0 + 600)
        XCTAssertEqual(state.record(id: "a")?.terminatedAt, t0 + 600)
        XCTAssertEqual(state.record(id: "a")?.intervals.last?.end, t0 + 600)
        XCTAssertNil(state.record(id: "b")?.terminatedAt)
        XCTAssertTrue(state.record(id: "b")?.isOpen ?? false)
    }

    func testMissingButNotConfirmedGoneIsLeftAlone() {
        var state = PodState(pods: [record("a", name: "one")])
        PodReconciler.reconcile(&state, remote: [], gone: [], now: t0 + 5)
        XCTAssertNil(state.record(id: "a")?.terminatedAt)
    }

    func testForeignPodIsAddedAndMarked() {
        var state = PodState()
        let foreign = RemotePod(
            id: "z", name: "console-pod", desiredStatus: "RUNNING", costPerHr: 0.69, gpuCount: 1,
            gpuTypeId: "NVIDIA GeForce RTX 4090", gpuDisplayName: "RTX 4090", hasRuntime: true)
        PodReconciler.reconcile(&state, remote: [foreign], gone: [], now: t0)
        let added = state.record(id: "z")
        XCTAssertEqual(added?.createdByAutopod, false)
        XCTAssertEqual(added?.pricePerHour, 0.69)
        XCTAssertEqual(added?.gpuDisplayName, "RTX 4090")
        XCTAssertTrue(added?.isOpen ?? false)
    }

    func testPendingCreateIsAdoptedByName() {
        var state = PodState(pending: [PendingCreate(name: "autopod-2027-01-01-003", startedAt: t0, cloudType: .community)])
        let late = RemotePod(id: "q", name: "autopod-2027-01-01-003", desiredStatus: "RUNNING", costPerHr: 0.35, gpuCount: 1)
        PodReconciler.reconcile(&state, remote: [late], gone: [], now: t0 + 30)
        XCTAssertEqual(state.record(id: "q")?.createdByAutopod, true)
        XCTAssertEqual(state.record(id: "q")?.cloudType, .community)
        XCTAssertEqual(state.record(id: "q")?.intervals.first?.start, t0)
        XCTAssertTrue(state.pending.isEmpty)
    }

    func testStoppedAndRestartedOutsideAutopod() {
        var state = PodState(pods: [record("a", name: "one")])
        PodReconciler.reconcile(&state, remote: [RemotePod(id: "a", name: "one", desiredStatus: "EXITED")], gone: [], now: t0 + 100)
        XCTAssertEqual(state.record(id: "a")?.intervals.last?.end, t0 + 100)
        PodReconciler.reconcile(&state, remote: [RemotePod(id: "a", name: "one", desiredStatus: "RUNNING")], gone: [], now: t0 + 200)
        XCTAssertEqual(state.record(id: "a")?.intervals.count, 2)
        XCTAssertEqual(state.pods.count, 1)
    }

    func testFindByIdNamePrefixAndDefault() throws {
        let now = t0 + 10
        let views = [
            PodView(record: record("abc111", name: "autopod-2027-01-01-001"), remote: RemotePod(id: "abc111", name: "autopod-2027-01-01-001", desiredStatus: "RUNNING", hasRuntime: true), now: now),
            PodView(record: record("abd222", name: "autopod-2027-01-01-002"), remote: RemotePod(id: "abd222", name: "autopod-2027-01-01-002", desiredStatus: "EXITED"), now: now),
        ]
        XCTAssertEqual(try PodManager.find("abc111", in: views).record.id, "abc111")
        XCTAssertEqual(try PodManager.find("autopod-2027-01-01-002", in: views).record.id, "abd222")
        XCTAssertEqual(try PodManager.find("abd", in: views).record.id, "abd222")
        XCTAssertEqual(try PodManager.find(nil, in: views).record.id, "abc111", "the one running pod may be left out")
        XCTAssertThrowsError(try PodManager.find("ab", in: views)) { error in
            guard case PodLookupError.ambiguous = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try PodManager.find("zzz", in: views)) { error in
            guard case PodLookupError.notFound = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try PodManager.find(nil, in: []))
    }
}
