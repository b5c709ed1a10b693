@testable import AutopodCore
import XCTest

/// What pods.json may hold beyond what this autopod writes: a newer version, unknown fields.
final class PodStateFileTests: XCTestCase {
    static let created = Date(timeIntervalSince1970: 1_800_000_000)

    static func fullState() -> PodState {
        var record = PodRecord(
            id: "abc123", name: "autopod-2027-01-01-001", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 2,
            cloudType: .community, pricePerHour: 0.35, createdAt: created, intervals: [RunningInterval(start: created)],
            endpoint: PodEndpoint(host: "203.0.113.7", port: 40022), createdByAutopod: true, terminatedAt: created + 60,
            imageName: "img:1", lastStatus: "RUNNING")
        record.hostKeyPinnedRun = 1
        record.hostKeyCheckedStart = created
        record.hostKeyCheckedAt = created + 30
        record.spotBid = 0.22
        record.networkVolumeId = "vol12345ab"
        record.guardSettings = GuardSettings(idleLimit: .seconds(1800), maxRuntime: .seconds(3600), budget: 5, action: .terminate)
        record.guardStop = "idle 30 min"
        return PodState(pods: [record], pending: [PendingCreate(name: "p", startedAt: created, cloudType: .secure, pid: 7)])
    }

    /// The known-field lists are what the encoder writes; a field added to a record but not to
    /// the lists would be taken for unknown and its old value put back after it was cleared.
    func testKnownFieldsAreExactlyWhatIsWritten() throws {
        let document = try JSONSerialization.jsonObject(with: PodStateStore.encode(Self.fullState())) as! [String: Any]
        XCTAssertEqual(Set(document.keys), PodStateFile.topFields)
        XCTAssertEqual(Set(((document["pods"] as! [[String: Any]])[0]).keys), PodStateFile.podFields)
        XCTAssertEqual(Set(((document["pending"] as! [[String: Any]])[0]).keys), PodStateFile.pendingFields)
    }

    /// Every stored property of a record is a known field, so a property added later fails here
    /// even when `fullState` forgets to set it.
    func testEveryRecordPropertyIsAKnownField() {
        let properties = Set(Mirror(reflecting: Self.fullState().pods[0]).children.compactMap(\.label))
        XCTAssertEqual(properties.subtracting(PodStateFile.podFields), [])
    }

    func testUnknownFieldsArePutBackAndAClearedKnownFieldStaysCleared() throws {
        let original = try PodStateStore.encode(Self.fullState())
        var document = try JSONSerialization.jsonObject(with: original) as! [String: Any]
        document["future"] = ["a": 1]
        var pods = document["pods"] as! [[String: Any]]
        pods[0]["futurePod"] = "x"
        document["pods"] = pods
        var pending = document["pending"] as! [[String: Any]]
        pending[0]["futurePending"] = true
        document["pending"] = pending
        let withExtras = try JSONSerialization.data(withJSONObject: document)

        var changed = Self.fullState()
        changed.pods[0].endpoint = nil
        let encoded = try PodStateStore.encode(changed)
        let merged = try XCTUnwrap(PodStateFile.keepingUnknownFields(of: withExtras, in: encoded))
        let result = try JSONSerialization.jsonObject(with: merged) as! [String: Any]
        XCTAssertEqual(result["future"] as? [String: Int], ["a": 1])
        let pod = (result["pods"] as! [[String: Any]])[0]
        XCTAssertEqual(pod["futurePod"] as? String, "x")
        XCTAssertNil(pod["endpoint"], "a field this autopod cleared is not brought back")
        XCTAssertEqual((result["pending"] as! [[String: Any]])[0]["futurePending"] as? Bool, true)
        XCTAssertNil(PodStateFile.keepingUnknownFields(of: original, in: encoded), "nothing unknown: the usual bytes are written")
    }
}
