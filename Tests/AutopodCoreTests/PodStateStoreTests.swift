import AutopodCore
import XCTest

final class PodStateStoreTests: XCTestCase {
    var home: URL!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("autopod-state-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: home) }

    func testMissingFileIsEmptyState() throws {
        XCTAssertEqual(try PodStateStore(paths: AutopodPaths(home: home)).load(), PodState())
    }

    func testRoundTripKeepsEverything() throws {
        let store = PodStateStore(paths: AutopodPaths(home: home))
        let created = Date(timeIntervalSince1970: 1_800_000_000.25)
        let record = PodRecord(
            id: "abc123", name: "autopod-2027-01-01-001", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 1,
            cloudType: .community, pricePerHour: 0.35, createdAt: created,
            intervals: [RunningInterval(start: created, end: created + 61.5), RunningInterval(start: created + 100)],
            endpoint: PodEndpoint(host: "203.0.113.7", port: 40022), createdByAutopod: false,
            terminatedAt: nil, imageName: "img:1", lastStatus: "RUNNING")
        try store.update { state in
            state.upsert(record)
            state.pending.append(PendingCreate(name: "autopod-2027-01-01-002", startedAt: created, cloudType: .secure))
        }
        let loaded = try store.load()
        XCTAssertEqual(loaded.pods, [record])
        XCTAssertEqual(loaded.pending.map(\.name), ["autopod-2027-01-01-002"])
        XCTAssertEqual(loaded.pods[0].intervals[0].end!.timeIntervalSince1970, 1_800_000_061.75, accuracy: 0.001)
    }

    func testCorruptFileIsReportedAndLeftIntact() throws {
        let paths = AutopodPaths(home: home)
        let garbage = Data("{\"version\": 1, \"pods\": [ {\"id\": \"x\"".utf8)
        try garbage.write(to: paths.pods)
        let store = PodStateStore(paths: paths)
        XCTAssertThrowsError(try store.load()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains(paths.pods.path), text)
            XCTAssertTrue(text.contains("not valid JSON"), text)
        }
        XCTAssertThrowsError(try store.update { $0.pods.removeAll() })
        XCTAssertEqual(try Data(contentsOf: paths.pods), garbage)
    }

    func testWrongShapeNamesTheField() throws {
        let paths = AutopodPaths(home: home)
        try Data(#"{"version": 1, "pods": [{"id": "x"}], "pending": []}"#.utf8).write(to: paths.pods)
        XCTAssertThrowsError(try PodStateStore(paths: paths).load()) { error in
            XCTAssertTrue("\(error)".contains("\"name\" is missing"), "\(error)")
        }
    }

    func testConcurrentUpdatesAreNotLost() throws {
        let store = PodStateStore(paths: AutopodPaths(home: home))
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            try! store.update { state in
                state.pending.append(PendingCreate(name: "n\(index)", startedAt: Date(), cloudType: .secure))
            }
        }
        XCTAssertEqual(try store.load().pending.count, 20)
    }
}
