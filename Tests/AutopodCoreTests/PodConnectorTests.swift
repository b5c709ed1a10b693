@testable import AutopodCore
import AutopodSupport
import Foundation
import XCTest

/// The connect workflow's decisions, above all whether a pod keeps billing: fallback, lost
/// create replies, the wait, Ctrl+C, failures, terminates that fail, and reservations left by
/// a connect that gave up. A scripted account stands in for the cloud and a scripted probe for
/// SSH (the real ones are covered by ReadinessWaiterTests and the end-to-end tests).
final class PodConnectorTests: XCTestCase {
    let types = [
        GPUType(id: "NVIDIA A40", displayName: "A40", memoryInGb: 48, securePrice: 0.4, stock: .high),
        GPUType(id: "NVIDIA RTX A6000", displayName: "RTX A6000", memoryInGb: 48, securePrice: 0.49, stock: .low),
    ]
    var home: URL!
    var store: PodStateStore { PodStateStore(paths: AutopodPaths(home: home)) }

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("autopod-connector-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: home) }

    /// What one connect did: its outcome (or the error it threw), and what it said and asked.
    struct Run {
        var outcome: ConnectOutcome?
        var error: (any Error)?
        var events: [String] = []
        var questions: [ConnectQuestion] = []
    }

    /// A connector on `provider` with no waiting anywhere (polls, lookups, retries).
    func connector(
        _ provider: ScriptedProvider, probe: ScriptedProbe.Reply = .answers, settings: ConnectSettings = ConnectSettings()
    ) -> PodConnector {
        var connector = PodConnector(provider: provider, store: store, settings: settings) { _ in ScriptedProbe(reply: probe) }
        connector.pollInterval = .zero
        connector.launcher.lookupInterval = .zero
        connector.manager.sleep = { _ in }
        return connector
    }

    /// Runs a connect. `answer` answers every question (nil: no answer, the rule applies);
    /// `interruptWhen` turns Ctrl+C on at the first event it accepts.
    func run(
        _ connector: PodConnector, name: String? = nil, answer: ConnectChoice? = nil,
        interruptWhen: ((ConnectEvent) -> Bool)? = nil
    ) throws -> Run {
        var options = LaunchOptions(config: AutopodConfig())
        options.gpuNames = ["A40", "A6000"]
        options.name = name
        let plan = try connector.plan(options)
        var run = Run()
        var interrupted = false
        do {
            run.outcome = try connector.connect(
                plan,
                events: { event in
                    if interruptWhen?(event) == true { interrupted = true }
                    switch event {
                    case .launch(.trying(let type, _)): run.events.append("try \(type.displayName)")
                    case .launch(.passedOver(let type, _)): run.events.append("pass \(type.displayName)")
                    case .launch(.outcomeUnknown): run.events.append("unknown")
                    case .launch(.created(let record)): run.events.append("created \(record.id)")
                    case .launch(.reservationResolved(.released(let name, _))): run.events.append("released \(name)")
                    case .launch(.reservationResolved(.adopted(let record))): run.events.append("adopted \(record.id)")
                    case .terminating(_, let id): run.events.append("terminating \(id)")
                    default: break
                    }
                },
                decide: { question in
                    run.questions.append(question)
                    return answer
                },
                cancelled: { interrupted })
        } catch {
            run.error = error
        }
        return run
    }

    func recorded(_ id: String) throws -> PodRecord? { try store.load().record(id: id) }

    // MARK: - Creating

    func testCapacityFallsBackToTheNextTypeAndTheReadyPodIsRecorded() throws {
        let provider = ScriptedProvider(types: types, creates: [.fails(.capacity(message: "no instances"), placed: false)])
        let run = try run(connector(provider))
        XCTAssertEqual(run.events, ["try A40", "pass A40", "try RTX A6000", "created pod1"])
        guard case .ready(let record, let endpoint) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(record.gpuTypeId, "NVIDIA RTX A6000")
        XCTAssertEqual(endpoint, PodEndpoint(host: "127.0.0.1", port: 40022))
        XCTAssertEqual(try recorded("pod1")?.endpoint, endpoint)
        XCTAssertTrue(run.questions.isEmpty)
    }

    func testUnknownCreateOutcomeIsResolvedByNameWithoutASecondCreate() throws {
        let provider = ScriptedProvider(
            types: types, creates: [.fails(.transient(message: "HTTP 500", outcomeUnknown: true), placed: true)])
        let run = try run(connector(provider))
        XCTAssertEqual(provider.createCalls, ["NVIDIA A40"], "a create with an unknown outcome must not be repeated")
        XCTAssertEqual(run.events, ["try A40", "unknown", "created pod1"])
        guard case .ready = run.outcome else { return XCTFail("\(run)") }
    }

    func testUnconfirmedCreateStopsWithoutAPodAndKeepsItsReservation() throws {
        let provider = ScriptedProvider(
            types: types, creates: [.fails(.transient(message: "timeout", outcomeUnknown: true), placed: false)])
        let run = try run(connector(provider))
        guard case LaunchError.unconfirmed = try XCTUnwrap(run.error) else { return XCTFail("\(run)") }
        XCTAssertEqual(provider.createCalls.count, 1)
        XCTAssertEqual(try store.load().pending.count, 1, "while this process lives, a late pod is adopted by its name")
    }

    // MARK: - Waiting

    func testWaitTimeoutTerminatesThePod() throws {
        let provider = ScriptedProvider(types: types)
        provider.state.withLock { $0.pollsUntilSSH = nil }
        let run = try run(connector(provider, settings: ConnectSettings(waitTimeout: .milliseconds(50))))
        guard case .notReady(_, .timedOut(let phase, _), .terminated) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(phase, .containerStarting)
        guard case .notReady(_, .timedOut)? = run.questions.first, run.questions.count == 1 else { return XCTFail("\(run)") }
        XCTAssertEqual(provider.terminateCalls, ["pod1"])
        XCTAssertTrue(provider.livePods.isEmpty)
        XCTAssertTrue(try XCTUnwrap(try recorded("pod1")).isTerminated)
    }

    func testFailureTerminatesThePodWithoutKeepOnFailure() throws {
        let provider = ScriptedProvider(types: types)
        let run = try run(connector(provider, probe: .refuses))
        guard case .notReady(_, .refused, .terminated) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(provider.terminateCalls, ["pod1"])
        XCTAssertTrue(provider.livePods.isEmpty)
    }

    func testFailureKeepsThePodWithKeepOnFailure() throws {
        let provider = ScriptedProvider(types: types)
        let settings = ConnectSettings(waitTimeout: .milliseconds(50), keepOnFailure: true)
        let run = try run(connector(provider, probe: .notYet, settings: settings))
        guard case .notReady(_, .timedOut(let phase, _), .kept) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(phase, .sshPortPublished)
        XCTAssertTrue(provider.terminateCalls.isEmpty)
        XCTAssertEqual(provider.livePods.map(\.id), ["pod1"])
        XCTAssertFalse(try XCTUnwrap(try recorded("pod1")).isTerminated)
    }

    func testAnAnswerOverridesKeepOnFailure() throws {
        let provider = ScriptedProvider(types: types)
        let settings = ConnectSettings(keepOnFailure: true)
        let run = try run(connector(provider, probe: .refuses, settings: settings), answer: .terminate)
        guard case .notReady(_, .refused, .terminated) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertTrue(provider.livePods.isEmpty)
    }

    func testAPodGoneFromTheAccountIsRecordedAsTerminatedWithoutAQuestion() throws {
        let provider = ScriptedProvider(types: types)
        provider.state.withLock { $0.vanishes = true }
        let run = try run(connector(provider))
        guard case .notReady(_, .gone, .gone) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertTrue(run.questions.isEmpty)
        XCTAssertTrue(provider.terminateCalls.isEmpty)
        XCTAssertTrue(try XCTUnwrap(try recorded("pod1")).isTerminated)
    }

    // MARK: - Ctrl+C

    func testInterruptDuringTheWaitTerminatesWhenNobodyAnswers() throws {
        let provider = ScriptedProvider(types: types)
        provider.state.withLock { $0.pollsUntilSSH = nil }
        let run = try run(connector(provider), interruptWhen: { if case .waiting = $0 { true } else { false } })
        guard case .interrupted(let record, .terminated) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(run.questions, [.interrupted(record)])
        XCTAssertEqual(run.events.last, "terminating pod1")
        XCTAssertTrue(provider.livePods.isEmpty)
        XCTAssertTrue(try XCTUnwrap(try recorded("pod1")).isTerminated)
    }

    func testInterruptAnsweredKeepLeavesThePodRunning() throws {
        let provider = ScriptedProvider(types: types)
        provider.state.withLock { $0.pollsUntilSSH = nil }
        let run = try run(connector(provider), answer: .keep, interruptWhen: { if case .waiting = $0 { true } else { false } })
        guard case .interrupted(_, .kept) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertTrue(provider.terminateCalls.isEmpty)
        XCTAssertEqual(provider.livePods.map(\.id), ["pod1"])
        XCTAssertFalse(try XCTUnwrap(try recorded("pod1")).isTerminated)
    }

    func testInterruptWhileTheCreateIsInFlightSettlesThePodItMade() throws {
        let provider = ScriptedProvider(types: types)
        let run = try run(connector(provider), interruptWhen: { if case .launch(.trying) = $0 { true } else { false } })
        guard case .interrupted(_, .terminated) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(provider.createCalls.count, 1)
        XCTAssertTrue(provider.livePods.isEmpty)
    }

    func testInterruptBeforeAnyCreateCreatesNothing() throws {
        let provider = ScriptedProvider(types: types)
        let run = try run(connector(provider), interruptWhen: { if case .launch(.reservedName) = $0 { true } else { false } })
        guard case LaunchError.interrupted = try XCTUnwrap(run.error) else { return XCTFail("\(run)") }
        XCTAssertTrue(provider.createCalls.isEmpty)
        XCTAssertTrue(try store.load().pending.isEmpty, "the reserved name is released")
    }

    // MARK: - Issue 17, 7: a terminate that fails

    func testTerminateAfterInterruptIsRetriedThroughPassingFailures() throws {
        let provider = ScriptedProvider(types: types)
        provider.state.withLock {
            $0.pollsUntilSSH = nil
            $0.failingTerminates = 2
        }
        let run = try run(connector(provider), answer: .terminate, interruptWhen: { if case .waiting = $0 { true } else { false } })
        guard case .interrupted(_, .terminated) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(provider.terminateCalls, ["pod1", "pod1", "pod1"])
        XCTAssertTrue(provider.livePods.isEmpty)
        XCTAssertTrue(try XCTUnwrap(try recorded("pod1")).isTerminated)
    }

    func testTerminateThatFailsEveryAttemptSaysThePodStillBills() throws {
        let provider = ScriptedProvider(types: types)
        provider.state.withLock {
            $0.pollsUntilSSH = nil
            $0.failingTerminates = 100
        }
        let connector = connector(provider)
        let run = try run(connector, answer: .terminate, interruptWhen: { if case .waiting = $0 { true } else { false } })
        guard case .interrupted(_, .stillBilling(let error)) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertTrue(error.description.contains("HTTP 500"), error.description)
        XCTAssertEqual(provider.terminateCalls.count, connector.manager.terminateRetry.maxAttempts)
        XCTAssertEqual(provider.livePods.map(\.id), ["pod1"])
        XCTAssertFalse(try XCTUnwrap(try recorded("pod1")).isTerminated, "a pod that still runs is not recorded as ended")
    }

    func testTerminateAfterATimeoutIsRetriedToo() throws {
        let provider = ScriptedProvider(types: types)
        provider.state.withLock { $0.failingTerminates = 1 }
        let run = try run(connector(provider, probe: .notYet, settings: ConnectSettings(waitTimeout: .milliseconds(20))))
        guard case .notReady(_, .timedOut, .terminated) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(provider.terminateCalls.count, 2)
    }

    // MARK: - Issue 17, 8: a shell without a terminal

    func testAShellWithoutATerminalIsRefusedBeforeAnythingIsCreated() throws {
        let provider = ScriptedProvider(types: types)
        let run = try run(connector(provider, settings: ConnectSettings(opensShell: true, hasTerminal: false)))
        XCTAssertEqual(run.error as? ConnectRefusal, .shellNeedsTerminal)
        XCTAssertTrue(provider.createCalls.isEmpty)
        XCTAssertEqual(try store.load(), PodState(), "no name is reserved")
        XCTAssertThrowsError(try PodConnector.preflight(ConnectSettings(opensShell: true, hasTerminal: false)))
        XCTAssertNoThrow(try PodConnector.preflight(ConnectSettings(opensShell: true, hasTerminal: true)))
        XCTAssertNoThrow(try PodConnector.preflight(ConnectSettings(opensShell: false, hasTerminal: false)))
    }

    // MARK: - Issue 17, 9: a reservation left by a connect that gave up

    /// pods.json as a connect whose create was never confirmed leaves it, its process gone.
    func leaveAbandonedReservation(_ name: String) throws {
        try store.update { state in
            state.pending.append(PendingCreate(name: name, startedAt: Date(), cloudType: .secure, pid: try Self.exitedPID()))
        }
    }

    /// The id of a process that has exited (a child that ran `true` and was reaped).
    static func exitedPID() throws -> Int32 {
        let process = try ChildProcess(["/bin/true"])
        process.wait()
        return process.pid
    }

    func testAnAbandonedReservationWithNoPodIsReleasedAndItsNameUsed() throws {
        try leaveAbandonedReservation("wt1")
        let provider = ScriptedProvider(types: types)
        let run = try run(connector(provider), name: "wt1")
        XCTAssertEqual(run.events.first, "released wt1")
        guard case .ready(let record, _) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(record.name, "wt1")
        XCTAssertTrue(try store.load().pending.isEmpty)
    }

    func testAnAbandonedReservationWhosePodExistsIsAdoptedAndKeepsItsName() throws {
        try leaveAbandonedReservation("wt1")
        let provider = ScriptedProvider(types: types)
        provider.add(RemotePod(id: "late1", name: "wt1", desiredStatus: "RUNNING", costPerHr: 0.4, gpuTypeId: "NVIDIA A40"))
        let run = try run(connector(provider), name: "wt1")
        XCTAssertEqual(run.events, ["adopted late1"])
        guard case LaunchError.nameTaken("wt1") = try XCTUnwrap(run.error) else { return XCTFail("\(run)") }
        XCTAssertTrue(provider.createCalls.isEmpty)
        let adopted = try XCTUnwrap(try recorded("late1"))
        XCTAssertTrue(adopted.createdByAutopod)
        XCTAssertTrue(try store.load().pending.isEmpty)
    }

    func testAReservationOfALiveConnectStillHoldsItsName() throws {
        try store.update { state in
            state.pending.append(PendingCreate(name: "wt1", startedAt: Date(), cloudType: .secure, pid: getpid()))
        }
        let provider = ScriptedProvider(types: types)
        let run = try run(connector(provider), name: "wt1")
        guard case LaunchError.nameTaken("wt1") = try XCTUnwrap(run.error) else { return XCTFail("\(run)") }
        XCTAssertEqual(try store.load().pending.map(\.name), ["wt1"], "another connect is still at work on it")
    }

    // MARK: - A pod that cannot be recorded

    func testAPodThatCannotBeRecordedIsTerminated() throws {
        let provider = ScriptedProvider(types: types)
        // pods.json becomes a directory once the name is reserved: the record cannot be written.
        let connector = connector(provider)
        let run = try run(connector) { event in
            if case .launch(.trying) = event {
                try? FileManager.default.removeItem(at: self.store.paths.pods)
                try? FileManager.default.createDirectory(at: self.store.paths.pods, withIntermediateDirectories: false)
            }
            return false
        }
        guard case .unrecorded(let id, _, _, .terminated) = run.outcome else { return XCTFail("\(run)") }
        XCTAssertEqual(provider.terminateCalls, [id])
        XCTAssertTrue(provider.livePods.isEmpty)
    }
}
