@testable import AutopodCore
import Foundation
import XCTest

/// The launcher's decisions (skip, pass over, stop, resolve an unknown outcome, settle an
/// abandoned reservation), with a scripted provider standing in for the account. The real API
/// is covered end to end.
final class PodLauncherTests: XCTestCase {
    let types = [
        GPUType(id: "NVIDIA A40", displayName: "A40", memoryInGb: 48, securePrice: 0.4, stock: .outOfStock),
        GPUType(id: "NVIDIA RTX A6000", displayName: "RTX A6000", memoryInGb: 48, securePrice: 0.49, stock: .low),
        GPUType(id: "NVIDIA RTX A5000", displayName: "RTX A5000", memoryInGb: 24, securePrice: 0.27, stock: .high),
    ]
    var home: URL!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("autopod-launch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: home) }

    func launch(_ provider: ScriptedProvider, events: inout [String]) throws -> PodRecord {
        var launcher = PodLauncher(provider: provider, store: PodStateStore(paths: AutopodPaths(home: home)))
        launcher.lookupInterval = .zero
        var options = LaunchOptions(config: AutopodConfig())
        options.gpuNames = ["A40", "A6000", "A5000"]
        let plan = try launcher.plan(options)
        var log: [String] = []
        defer { events = log }
        return try launcher.launch(
            plan,
            events: { event in
                switch event {
                case .skipped(let type, _): log.append("skip \(type.displayName)")
                case .passedOver(let type, _): log.append("pass \(type.displayName)")
                case .trying(let type, _): log.append("try \(type.displayName)")
                case .outcomeUnknown: log.append("unknown")
                case .created(let record): log.append("created \(record.id)")
                default: break
                }
            })
    }

    func testSkipsNoStockAndPassesOverCapacity() throws {
        let provider = ScriptedProvider(types: types, creates: [.fails(.capacity(message: "no instances"), placed: false), .made])
        var events: [String] = []
        let record = try launch(provider, events: &events)
        XCTAssertEqual(events, ["skip A40", "try RTX A6000", "pass RTX A6000", "try RTX A5000", "created pod1"])
        XCTAssertEqual(provider.createCalls, ["NVIDIA RTX A6000", "NVIDIA RTX A5000"])
        XCTAssertEqual(record.gpuTypeId, "NVIDIA RTX A5000")
        let state = try PodStateStore(paths: AutopodPaths(home: home)).load()
        XCTAssertEqual(state.pods.map(\.id), ["pod1"])
        XCTAssertTrue(state.pending.isEmpty)
    }

    func testUnknownOutcomeIsResolvedByNameAndNeverRetried() throws {
        let provider = ScriptedProvider(types: types, creates: [.fails(.transient(message: "HTTP 500", outcomeUnknown: true), placed: true)])
        var events: [String] = []
        let record = try launch(provider, events: &events)
        XCTAssertEqual(provider.createCalls.count, 1, "a create with an unknown outcome must not be repeated")
        XCTAssertEqual(record.id, "pod1")
        XCTAssertEqual(events, ["skip A40", "try RTX A6000", "unknown", "created pod1"])
    }

    func testUnknownOutcomeWithNoPodStopsAndKeepsTheReservation() throws {
        let provider = ScriptedProvider(types: types, creates: [.fails(.transient(message: "timeout", outcomeUnknown: true), placed: false)])
        var events: [String] = []
        XCTAssertThrowsError(try launch(provider, events: &events)) { error in
            guard case LaunchError.unconfirmed = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(provider.createCalls.count, 1)
        let state = try PodStateStore(paths: AutopodPaths(home: home)).load()
        XCTAssertEqual(state.pending.count, 1, "a pod that appears later is adopted by its reserved name")
    }

    func testOtherErrorsStopWithoutTryingFurtherTypes() throws {
        let provider = ScriptedProvider(types: types, creates: [.fails(.rejected(message: "bad image"), placed: false)])
        var events: [String] = []
        XCTAssertThrowsError(try launch(provider, events: &events)) { error in
            guard case LaunchError.failed = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(provider.createCalls, ["NVIDIA RTX A6000"])
        XCTAssertTrue(try PodStateStore(paths: AutopodPaths(home: home)).load().pending.isEmpty)
    }
}
