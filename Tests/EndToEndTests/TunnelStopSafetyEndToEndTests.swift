import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `tunnel stop` decides what runs by the tunnel's lock, not by the pid a state file names, and
/// signals only an autopod tunnel: a stale file whose pid was reused, or a lock held by some
/// other program, gets no process killed.
final class TunnelStopSafetyEndToEndTests: XCTestCase {
    private var cli: CLIRunner!
    private var bystanders: [Process] = []

    override func setUpWithError() throws {
        cli = CLIRunner(apiBaseURL: "http://127.0.0.1:9", apiKey: "rpa_unused")
    }

    override func tearDownWithError() throws {
        for process in bystanders where process.isRunning { process.terminate() }
        bystanders = []
    }

    func testStaleStateWithAForeignPidKillsNothing() throws {
        let bystander = try spawn("/bin/sleep", ["300"])
        try writeState(podID: "abc123", pid: bystander.processIdentifier)

        let stopped = try cli.run(["tunnel", "stop", "all"], timeout: .seconds(60))
        XCTAssertEqual(stopped.status, 0, "\(stopped)")
        XCTAssertTrue(stopped.stdout.contains("No tunnels running"), stopped.stdout)
        XCTAssertTrue(bystander.isRunning, "the process named by a stale state file was signalled")
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateFile("abc123").path), "the stale file is cleaned up")

        try writeState(podID: "abc123", pid: bystander.processIdentifier)
        let named = try cli.run(["tunnel", "stop", "abc123"], timeout: .seconds(60))
        XCTAssertNotEqual(named.status, 0, "\(named)")
        XCTAssertTrue(bystander.isRunning)
    }

    func testALockHeldByAnotherProgramIsNotSignalled() throws {
        let lock = tunnels.appendingPathComponent("abc123.lock")
        let holder = try spawn("/usr/bin/flock", [lock.path, "/bin/sleep", "300"])
        let held = SimulatorClient.waitUntil(timeout: 30) {
            (try? ChildProcess.run(["/usr/bin/flock", "-n", lock.path, "/bin/true"]).status) == 1
        }
        XCTAssertTrue(held, "flock took the lock")
        try writeState(podID: "abc123", pid: holder.processIdentifier)

        let stopped = try cli.run(["tunnel", "stop", "all"], timeout: .seconds(60))
        XCTAssertNotEqual(stopped.status, 0, "\(stopped)")
        XCTAssertTrue(stopped.stdout.contains("not an autopod tunnel"), stopped.stdout)
        XCTAssertTrue(holder.isRunning, "a process that is not an autopod tunnel was signalled")
    }

    // MARK: - helpers

    private var tunnels: URL { cli.home.appendingPathComponent("tunnels") }

    private func stateFile(_ podID: String) -> URL { tunnels.appendingPathComponent("\(podID).json") }

    private func spawn(_ path: String, _ arguments: [String]) throws -> Process {
        try FileManager.default.createDirectory(at: tunnels, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        try process.run()
        bystanders.append(process)
        return process
    }

    private func writeState(podID: String, pid: Int32) throws {
        let state = """
            {"podID":"\(podID)","podName":"victim","pid":\(pid),"detached":true,"startedAt":"2026-01-01T00:00:00Z",
            "updatedAt":"2026-01-01T00:00:00Z","state":"up","reconnects":0,"forwards":[{"localPort":1,"remotePort":1,
            "activeConnections":0,"totalConnections":0,"refusedConnections":0,"bytesIn":0,"bytesOut":0}]}
            """
        try Data(state.utf8).write(to: stateFile(podID))
    }
}
