@testable import AutopodCore
import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// The one readiness path `connect` takes, against a real sshd: the waiter polls the pod's
/// status (scripted: it only supplies the endpoint) and `HandshakeProbe` logs in with the
/// user's key, pinning the host key.
final class ReadinessWaiterTests: XCTestCase {
    var sshd: SSHDFixture!
    var home: URL!
    var provider: ScriptedProvider!

    override func setUpWithError() throws {
        sshd = try SSHDFixture()
        home = FileManager.default.temporaryDirectory.appendingPathComponent("autopod-ready-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        provider = ScriptedProvider(types: [])
        provider.state.withLock { $0.sshEndpoint = PodEndpoint(host: "127.0.0.1", port: self.sshd.port) }
        provider.add(RemotePod(id: "pod1", name: "ready-test", desiredStatus: "RUNNING"))
    }

    override func tearDownWithError() throws {
        sshd = nil
        try? FileManager.default.removeItem(at: home)
    }

    func waiter(keyPath: String? = nil) -> ReadinessWaiter {
        var config = AutopodConfig()
        config.sshKeyPath = keyPath ?? sshd.clientKey
        config.sshUser = sshd.user
        let paths = AutopodPaths(home: home)
        let ssh = PodSSH(
            podID: "pod1", podName: "ready-test", config: config, paths: paths, provider: provider, store: PodStateStore(paths: paths))
        var waiter = ReadinessWaiter(provider: provider, probe: HandshakeProbe(ssh: ssh))
        waiter.pollInterval = .milliseconds(50)
        return waiter
    }

    func testWaitsUntilSSHDAnswersThenLogsInAndPinsTheHostKey() throws {
        sshd.stop()
        var phases: [WaitPhase] = []
        var started: Result<Void, Error>?
        let endpoint = try waiter().wait(
            podId: "pod1", timeout: .seconds(60),
            progress: { phase, _ in
                phases.append(phase)
                // sshd comes up only after the waiter has found it closed a few times (once:
                // a phase after the third would otherwise start a second one).
                if started == nil && phases.filter({ $0 == .sshPortPublished }).count == 3 { started = Result { try self.sshd.start() } }
            },
            cancelled: { false })
        XCTAssertNoThrow(try started?.get())
        XCTAssertEqual(endpoint, PodEndpoint(host: "127.0.0.1", port: sshd.port))
        XCTAssertEqual(phases.last, .sshAnswering)
        XCTAssertGreaterThanOrEqual(phases.filter { $0 == .sshPortPublished }.count, 3)
        let pinned = try String(contentsOf: AutopodPaths(home: home).knownHosts, encoding: .utf8)
        XCTAssertTrue(pinned.contains("autopod-pod=pod1"), pinned)
    }

    func testTimesOutWhileSSHDIsDown() throws {
        sshd.stop()
        XCTAssertThrowsError(try waiter().wait(podId: "pod1", timeout: .milliseconds(1500), progress: { _, _ in }, cancelled: { false })) {
            guard case WaitError.timedOut(.sshPortPublished, _) = $0 else { return XCTFail("\($0)") }
        }
    }

    func testAChangedHostKeyEndsTheWaitAtOnce() throws {
        _ = try waiter().wait(podId: "pod1", timeout: .seconds(30), progress: { _, _ in }, cancelled: { false })
        try sshd.restart(newHostKey: true)
        var polls = 0
        XCTAssertThrowsError(
            try waiter().wait(podId: "pod1", timeout: .seconds(60), progress: { _, _ in polls += 1 }, cancelled: { false })
        ) {
            guard case WaitError.refused(let why) = $0 else { return XCTFail("\($0)") }
            XCTAssertTrue(why.lowercased().contains("host key"), why)
        }
        XCTAssertLessThanOrEqual(polls, 3, "a refusal is final: no second probe")
    }

    func testAKeyThePodDoesNotAcceptEndsTheWaitAtOnce() throws {
        let stranger = try sshd.makeClientKey(name: "stranger", authorize: false)
        XCTAssertThrowsError(
            try waiter(keyPath: stranger).wait(podId: "pod1", timeout: .seconds(60), progress: { _, _ in }, cancelled: { false })
        ) {
            guard case WaitError.refused = $0 else { return XCTFail("\($0)") }
        }
    }

    func testCancelledEndsTheWait() throws {
        sshd.stop()
        var calls = 0
        XCTAssertThrowsError(
            try waiter().wait(
                podId: "pod1", timeout: .seconds(60), progress: { _, _ in },
                cancelled: {
                    calls += 1
                    return calls > 5
                })
        ) {
            XCTAssertEqual($0 as? WaitError, .interrupted)
        }
    }
}
