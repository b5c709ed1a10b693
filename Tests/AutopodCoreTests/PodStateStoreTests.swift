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

    func testUpdateFromASnapshotSeesWritesMadeSince() throws {
        let store = PodStateStore(paths: AutopodPaths(home: home))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        try store.update { $0.pending.append(PendingCreate(name: "first", startedAt: now, cloudType: .secure)) }
        let snapshot = try store.snapshot()
        // Another process writes between the snapshot and the update.
        try store.update { $0.pending.append(PendingCreate(name: "second", startedAt: now, cloudType: .secure)) }
        let seen = try store.update(from: snapshot) { state in state.pending.map(\.name) }
        XCTAssertEqual(seen, ["first", "second"])
        XCTAssertEqual(try store.load().pending.map(\.name), ["first", "second"])
    }

    func testUpdateFromASnapshotReportsAFileBrokenSince() throws {
        let paths = AutopodPaths(home: home)
        let store = PodStateStore(paths: paths)
        try store.update { $0.version = 1 }
        let snapshot = try store.snapshot()
        let garbage = Data("{\"version\": 1,".utf8)
        try garbage.write(to: paths.pods)
        XCTAssertThrowsError(try store.update(from: snapshot) { $0.pods.removeAll() }) { error in
            XCTAssertTrue("\(error)".contains("not valid JSON"), "\(error)")
        }
        XCTAssertEqual(try Data(contentsOf: paths.pods), garbage)
    }

    func testUpdateThatChangesNothingDoesNotWrite() throws {
        let paths = AutopodPaths(home: home)
        let store = PodStateStore(paths: paths)
        try store.update { $0.pending.append(PendingCreate(name: "a", startedAt: Date(), cloudType: .secure)) }
        // A write renames a new file over pods.json. A hard link keeps the original inode alive
        // (so its number cannot be reused): pods.json still being that inode means no write.
        let link = home.appendingPathComponent("pods.json.link")
        try FileManager.default.linkItem(at: paths.pods, to: link)
        try store.update(from: try store.snapshot()) { _ in }
        try store.update { _ in }
        func inode(_ url: URL) throws -> Int? { try FileManager.default.attributesOfItem(atPath: url.path)[.systemFileNumber] as? Int }
        XCTAssertNotNil(try inode(link))
        XCTAssertEqual(try inode(paths.pods), try inode(link))
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
