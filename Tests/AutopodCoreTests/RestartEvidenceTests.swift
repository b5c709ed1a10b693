@testable import AutopodCore
import Foundation
import XCTest

/// When a pod is proven to have restarted since its host key was last checked: by this
/// machine's record, by a later start the API reports, or by an uptime shorter than the time
/// since the check. Pod ids from the API are checked where they are parsed.
final class RestartEvidenceTests: XCTestCase {
    let checkedAt = Date(timeIntervalSince1970: 1_800_000_000)

    func record(pinnedRun: Int? = 1, runs: Int = 1, checkedStart: Date? = nil) -> PodRecord {
        var record = PodRecord(
            id: "abc123", name: "p", gpuTypeId: "A40", gpuDisplayName: "A40", gpuCount: 1, cloudType: .secure, pricePerHour: 1,
            createdAt: checkedAt.addingTimeInterval(-7200))
        record.intervals = (0..<runs).map { RunningInterval(start: checkedAt.addingTimeInterval(Double($0) * 10)) }
        record.hostKeyPinnedRun = pinnedRun
        record.hostKeyCheckedStart = checkedStart
        record.hostKeyCheckedAt = checkedAt
        return record
    }

    func pod(startedAt: Date? = nil, uptime: Int? = nil, status: String = "RUNNING") -> RemotePod {
        RemotePod(id: "abc123", name: "p", desiredStatus: status, hasRuntime: true, uptimeInSeconds: uptime, lastStartedAt: startedAt)
    }

    func testNothingProvesARestartWhenTheKeyWasCheckedSince() {
        let now = checkedAt.addingTimeInterval(600)
        let started = checkedAt.addingTimeInterval(-3600)
        XCTAssertNil(RestartEvidence.since(lastCheck: record(checkedStart: started), remote: pod(startedAt: started, uptime: 4200), now: now))
        XCTAssertNil(RestartEvidence.since(lastCheck: nil, remote: pod(startedAt: now, uptime: 1), now: now))
    }

    func testALocalStopAndStartProvesARestart() {
        XCTAssertNotNil(RestartEvidence.since(lastCheck: record(pinnedRun: 1, runs: 2), remote: nil, now: checkedAt))
    }

    func testALaterStartReportedByTheAPIProvesARestart() {
        let started = checkedAt.addingTimeInterval(-3600)
        let evidence = RestartEvidence.since(
            lastCheck: record(checkedStart: started), remote: pod(startedAt: checkedAt.addingTimeInterval(60)), now: checkedAt.addingTimeInterval(90))
        XCTAssertTrue(evidence?.contains("RunPod reports that the pod started again") ?? false, "\(String(describing: evidence))")
        // A stopped pod proves nothing yet.
        XCTAssertNil(
            RestartEvidence.since(
                lastCheck: record(checkedStart: started), remote: pod(startedAt: checkedAt.addingTimeInterval(60), status: "EXITED"),
                now: checkedAt.addingTimeInterval(90)))
    }

    func testAnUptimeShorterThanTheTimeSinceTheCheckProvesARestart() {
        let now = checkedAt.addingTimeInterval(600)
        XCTAssertNotNil(RestartEvidence.since(lastCheck: record(), remote: pod(uptime: 100), now: now))
        XCTAssertNil(RestartEvidence.since(lastCheck: record(), remote: pod(uptime: 590), now: now), "within the slack")
    }

    func testAnUnknownStatusIsNotAStop() {
        var rec = record(runs: 1)
        PodReconciler.apply(pod(status: "UNKNOWN"), to: &rec, now: checkedAt.addingTimeInterval(5))
        XCTAssertTrue(rec.isOpen, "a missing or unknown status must not end the running interval")
        PodReconciler.apply(pod(status: "EXITED"), to: &rec, now: checkedAt.addingTimeInterval(6))
        XCTAssertFalse(rec.isOpen)
    }

    func testPodIDs() throws {
        XCTAssertTrue(PodID.isValid("h0j2d2rtvqeovo"))
        for bad in ["", "../../x", "abc\ndef", "ABC", "abc-def", "abc def", String(repeating: "a", count: 65)] {
            XCTAssertFalse(PodID.isValid(bad), bad.debugDescription)
        }
        XCTAssertThrowsError(try RunPodProvider.parsePod(.object(["id": .string("a/b")])))
    }
}
