@testable import AutopodCore
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
        // Every field set, so a field the reader forgets (or misnames) fails the comparison.
        var record = PodRecord(
            id: "abc123", name: "autopod-2027-01-01-001", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 2,
            cloudType: .community, pricePerHour: 0.35, createdAt: created,
            intervals: [RunningInterval(start: created, end: created + 61.5), RunningInterval(start: created + 100)],
            endpoint: PodEndpoint(host: "203.0.113.7", port: 40022), createdByAutopod: false,
            terminatedAt: created + 3600.125, imageName: "img:1", lastStatus: "RUNNING")
        record.hostKeyPinnedRun = 2
        record.storage = PodStorage(containerDiskGB: 20, volumeGB: 50, networkVolumeGB: 7)
        try store.update { state in
            state.version = 3
            state.upsert(record)
            state.pending.append(PendingCreate(name: "autopod-2027-01-01-002", startedAt: created, cloudType: .secure, pid: 4242))
        }
        let loaded = try store.load()
        XCTAssertEqual(loaded.version, 3)
        XCTAssertEqual(loaded.pods, [record])
        XCTAssertEqual(loaded.pending, [PendingCreate(name: "autopod-2027-01-01-002", startedAt: created, cloudType: .secure, pid: 4242)])
        XCTAssertEqual(loaded.pods[0].intervals[0].end!.timeIntervalSince1970, 1_800_000_061.75, accuracy: 0.001)
    }

    func testSavingWhatWasLoadedGivesTheSameBytes() throws {
        // Dates from the clock have more digits than the file keeps: the first save truncates
        // them to milliseconds, and from then on loading and saving must not move them (a date
        // read back a hair short of its millisecond would lose one at every save).
        let paths = AutopodPaths(home: home)
        let store = PodStateStore(paths: paths)
        try store.update { state in
            for index in 0..<200 {
                let start = Date(timeIntervalSince1970: 1_790_000_000 + Double(index) * 3_599.987_654_3)
                state.upsert(
                    PodRecord(
                        id: "id\(index)", name: "pod-\(index)", gpuTypeId: "NVIDIA A40", gpuDisplayName: "A40", gpuCount: 1,
                        cloudType: .secure, pricePerHour: 0.44, createdAt: start,
                        intervals: [RunningInterval(start: start, end: start + Double(index) * 0.001_1)]))
            }
        }
        let written = try Data(contentsOf: paths.pods)
        XCTAssertEqual(try PodStateStore.encode(store.load()), written)
    }

    func testReadsTheFormatWrittenBefore() throws {
        // A file as earlier autopod versions wrote it (JSONEncoder, sorted keys, nil fields left
        // out), plus the other ISO 8601 forms a hand edit might leave.
        let paths = AutopodPaths(home: home)
        try Data(
            #"""
            {
              "pending" : [
                { "cloudType" : "SECURE", "name" : "autopod-2027-01-01-002", "startedAt" : "2027-01-01T10:00:00Z" }
              ],
              "pods" : [
                {
                  "cloudType" : "ALL",
                  "createdAt" : "2026-11-28T00:25:56.684Z",
                  "createdByAutopod" : false,
                  "endpoint" : { "host" : "127.0.0.1", "port" : 35491 },
                  "gpuCount" : 1,
                  "gpuDisplayName" : "A40",
                  "gpuTypeId" : "NVIDIA A40",
                  "hostKeyPinnedRun" : 1,
                  "id" : "mdhw7qscap8iwz",
                  "imageName" : "img",
                  "intervals" : [
                    { "end" : "2026-11-28T02:25:56.500+01:00", "start" : "2026-11-28T00:25:56.684Z" },
                    { "start" : "2026-11-28T03:00:00.123456Z" }
                  ],
                  "lastStatus" : "RUNNING",
                  "name" : "bench-01",
                  "pricePerHour" : 0.4,
                  "someFutureField" : [1, 2]
                }
              ],
              "version" : 1
            }
            """#.utf8
        ).write(to: paths.pods)
        let state = try PodStateStore(paths: paths).load()
        XCTAssertEqual(state.version, 1)
        XCTAssertEqual(state.pending.first?.startedAt.timeIntervalSince1970, 1_798_797_600)
        XCTAssertEqual(state.pending.first?.cloudType, .secure)
        let pod = try XCTUnwrap(state.pods.first)
        XCTAssertEqual(pod.id, "mdhw7qscap8iwz")
        XCTAssertEqual(pod.cloudType, .all)
        XCTAssertEqual(pod.createdAt.timeIntervalSince1970, 1_795_825_556.684, accuracy: 0.000_5)
        XCTAssertEqual(pod.endpoint, PodEndpoint(host: "127.0.0.1", port: 35491))
        XCTAssertEqual(pod.hostKeyPinnedRun, 1)
        XCTAssertNil(pod.terminatedAt)
        XCTAssertEqual(pod.intervals.count, 2)
        XCTAssertEqual(pod.intervals[0].end!.timeIntervalSince1970, 1_795_829_156.5, accuracy: 0.000_5)
        XCTAssertEqual(pod.intervals[1].start.timeIntervalSince1970, 1_795_834_800.123, accuracy: 0.001)
        XCTAssertNil(pod.intervals[1].end)
        XCTAssertEqual(pod.pricePerHour, 0.4)
        // Written before autopod kept the disks: no storage to charge.
        XCTAssertEqual(pod.storage, .none)
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
            XCTAssertTrue(text.contains("not valid JSON (line 1: unexpected end)"), text)
        }
        XCTAssertThrowsError(try store.update { $0.pods.removeAll() })
        XCTAssertEqual(try Data(contentsOf: paths.pods), garbage)
    }

    func testWrongShapeNamesTheField() throws {
        let paths = AutopodPaths(home: home)
        try Data(#"{"version": 1, "pods": [{"id": "x"}], "pending": []}"#.utf8).write(to: paths.pods)
        XCTAssertThrowsError(try PodStateStore(paths: paths).load()) { error in
            XCTAssertTrue("\(error)".contains("\"name\" is missing at pods.[0]"), "\(error)")
        }
        let pod =
            #"{"id": "x", "name": "n", "gpuTypeId": "g", "gpuDisplayName": "g", "gpuCount": 1, "cloudType": "SECURE", "#
            + #""pricePerHour": 0.1, "createdAt": "2027-01-01T00:00:00Z", "intervals": [{"start": "tomorrow"}], "createdByAutopod": true}"#
        let cases = [
            (#"{"version": 1, "pods": [], "pending": {}}"#, "wrong kind of value at pending: expected an array"),
            (#"{"version": "1", "pods": [], "pending": []}"#, "wrong kind of value at version: expected a whole number"),
            (#"{"version": 1, "pods": [\#(pod)], "pending": []}"#, "wrong kind of value at pods.[0].intervals.[0].start"),
            (
                #"{"version": 1, "pods": [\#(pod.replacingOccurrences(of: "SECURE", with: "CHEAP"))], "pending": []}"#,
                "wrong kind of value at pods.[0].cloudType: expected SECURE, COMMUNITY or ALL"
            ),
            (#"{"version": 1, "pods": [null], "pending": []}"#, "wrong kind of value at pods.[0]: expected an object"),
            (#"[]"#, "wrong kind of value: expected an object"),
        ]
        for (text, expected) in cases {
            try Data(text.utf8).write(to: paths.pods)
            XCTAssertThrowsError(try PodStateStore(paths: paths).load(), text) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error)")
            }
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
