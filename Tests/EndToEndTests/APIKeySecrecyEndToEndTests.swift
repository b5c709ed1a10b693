import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Keeping the API key out of other eyes on this machine (issue 11 item 14): `config init`
/// takes it from a file or stdin instead of argv (which `ps` shows to every user), and a
/// running autopod is not dumpable, so another process of the same user cannot read its
/// environment (RUNPOD_API_KEY) or memory.
final class APIKeySecrecyEndToEndTests: EndToEndCase {
    override class var runsOnEveryAPI: Bool { false }

    func testConfigInitTakesTheKeyFromAFileOrFromStdin() throws {
        var noKey = cli.environment
        noKey.removeValue(forKey: "RUNPOD_API_KEY")
        let file = cli.userHome.appendingPathComponent("runpod.key")
        try Data((SimulatorProcess.apiKey + "\n").utf8).write(to: file)
        chmod(file.path, 0o600)

        let fromFile = try run(["config", "init", "--non-interactive", "--api-key-file", file.path], environment: noKey)
        XCTAssertEqual(fromFile.status, 0, "\(fromFile)")
        XCTAssertTrue(fromFile.stdout.contains("key accepted by RunPod"), fromFile.stdout)
        XCTAssertEqual(try savedKey(), SimulatorProcess.apiKey)
        XCTAssertFalse(fromFile.stderr.contains("can be read by other users"), fromFile.stderr)

        try writeConfig()
        let fromStdin = try run(["config", "init", "--non-interactive", "--api-key", "-"], stdin: SimulatorProcess.apiKey + "\n", environment: noKey)
        XCTAssertEqual(fromStdin.status, 0, "\(fromStdin)")
        XCTAssertTrue(fromStdin.stdout.contains("key accepted by RunPod"), fromStdin.stdout)
        XCTAssertEqual(try savedKey(), SimulatorProcess.apiKey)

        // A key file others can read is said to be one; both sources at once, or none in them, are usage errors.
        chmod(file.path, 0o644)
        let shared = try run(["config", "init", "--non-interactive", "--api-key-file", file.path], environment: noKey)
        XCTAssertEqual(shared.status, 0, "\(shared)")
        XCTAssertTrue(shared.stderr.contains("can be read by other users"), shared.stderr)
        let both = try run(["config", "init", "--non-interactive", "--api-key", "-", "--api-key-file", file.path], stdin: "x", environment: noKey)
        XCTAssertEqual(both.status, 2, "\(both)")
        let empty = try run(["config", "init", "--non-interactive", "--api-key", "-"], stdin: "\n", environment: noKey)
        XCTAssertEqual(empty.status, 2, "\(empty)")
        XCTAssertTrue(empty.stderr.contains("no API key in stdin"), empty.stderr)

        // config show: nothing of the key but its last 4 characters.
        let shown = try run(["config", "show"], environment: noKey)
        XCTAssertTrue(shown.stdout.contains("••••" + SimulatorProcess.apiKey.suffix(4)), shown.stdout)
        XCTAssertFalse(shown.stdout.contains(String(SimulatorProcess.apiKey.prefix(5))), shown.stdout)
    }

    func testARunningAutopodIsNotDumpableSoItsEnvironmentIsHidden() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to act as a second, ordinary user")
        let other = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("autopod-nodump-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: home) }
        XCTAssertEqual(try ChildProcess.run(other + ["/bin/mkdir", "-m", "0700", home.path]).status, 0)
        let secret = "rpa_ENVIRONSECRET0123456789"
        let environment = [
            "AUTOPOD_HOME": home.path, "HOME": home.path, "PATH": "/usr/bin:/bin", "RUNPOD_API_KEY": secret,
            "RUNPOD_API_BASE_URL": "http://127.0.0.1:9", "NO_COLOR": "1",
        ]

        // The check itself works: an ordinary process of that user shows its environment.
        let sleeper = try ChildProcess(other + ["/bin/sleep", "60"], environment: environment)
        defer {
            sleeper.signal(SIGKILL)
            _ = sleeper.wait()
        }
        try waitUntilBlockedReading(sleeper.pid, syscall: nil)
        let control = try ChildProcess.run(other + ["/bin/cat", "/proc/\(sleeper.pid)/environ"])
        XCTAssertEqual(control.status, 0, "\(control)")
        XCTAssertTrue(control.stdout.contains(secret), "the control process's environment should be readable")

        // autopod waiting for its key on stdin: the same user cannot read its environment.
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[1]) }
        let autopod = try ChildProcess(
            other + [CLIRunner.autopod, "config", "init", "--non-interactive", "--api-key", "-"], environment: environment,
            stdin: .descriptor(fds[0]))
        close(fds[0])
        defer {
            autopod.signal(SIGKILL)
            _ = autopod.wait()
        }
        try waitUntilBlockedReading(autopod.pid, syscall: "0 0x0 ")
        let read = try ChildProcess.run(other + ["/bin/cat", "/proc/\(autopod.pid)/environ"])
        XCTAssertNotEqual(read.status, 0, "another process of the same user read autopod's environment")
        XCTAssertFalse(read.stdout.contains(secret))
        XCTAssertTrue(read.stderr.contains("Permission denied"), read.stderr)
    }

    /// Non-dumpable hides a tunnel's /proc/PID/exe from its own user: `tunnel stop`, run by an
    /// ordinary user, must still recognise that user's tunnel (by name and owner) and stop it.
    func testAnOrdinaryUserStillStopsTheirOwnNonDumpableTunnel() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to act as a second, ordinary user")
        try connect(["--gpu", "A40"])
        let pod = try XCTUnwrap(try listJSON().first?["id"] as? String)
        XCTAssertEqual(try cli.run(["stop", pod]).status, 0)

        let other = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("autopod-stop-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: home) }
        XCTAssertEqual(try ChildProcess.run(other + ["/bin/mkdir", "-m", "0700", home.path]).status, 0)
        let environment = [
            "AUTOPOD_HOME": home.path, "HOME": home.path, "PATH": "/usr/bin:/bin", "RUNPOD_API_KEY": SimulatorProcess.apiKey,
            "RUNPOD_API_BASE_URL": sim.baseURL, "AUTOPOD_API": api, "NO_COLOR": "1",
        ]
        // The pod is stopped: the tunnel holds its lock and waits for it.
        let port = try TunnelEndToEndTests.freePort()
        let tunnel = try RunningProcess(other + [CLIRunner.autopod, "tunnel", "start", pod, "\(port):8888"], environment: environment)
        defer {
            if tunnel.isRunning { tunnel.process.signal(SIGKILL) }
            _ = tunnel.wait(timeout: .seconds(10))
        }
        try eventually("the tunnel waits for the stopped pod", timeout: 60) {
            !tunnel.isRunning || tunnel.stderrSoFar.contains("waiting for")
        }
        XCTAssertTrue(tunnel.isRunning, tunnel.stderrSoFar)

        let stopped = try RunningProcess(other + [CLIRunner.autopod, "tunnel", "stop", "all"], environment: environment)
            .wait(timeout: .seconds(60))
        XCTAssertEqual(stopped.status, 0, "\(stopped)")
        XCTAssertTrue(stopped.stdout.contains("stopped the tunnel"), stopped.stdout)
        XCTAssertFalse(tunnel.wait(timeout: .seconds(30)).timedOut, "the tunnel is still running")
    }

    // MARK: - helpers

    private func run(_ arguments: [String], stdin: String? = nil, environment: [String: String]) throws -> ProcessResult {
        let result = try RunningProcess([CLIRunner.autopod] + arguments, environment: environment, input: stdin).wait(timeout: .seconds(60))
        if result.timedOut { throw FixtureError("autopod \(arguments) did not finish: \(result)") }
        return result
    }

    private func savedKey() throws -> String? {
        let data = try Data(contentsOf: cli.home.appendingPathComponent("config.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["apiKey"] as? String
    }

    /// Waits until `pid` runs its own program (past setpriv's exec) and, with `syscall`, sits in
    /// that system call (/proc/PID/syscall: "0 0x0 " is read(0, ...) on x86-64).
    private func waitUntilBlockedReading(_ pid: pid_t, syscall: String?) throws {
        try eventually("process \(pid) is under way", timeout: 30) {
            let command = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8)) ?? ""
            guard !command.hasPrefix("setpriv") else { return false }
            guard let syscall else { return true }
            #if arch(x86_64)
            let now = (try? String(contentsOfFile: "/proc/\(pid)/syscall", encoding: .utf8)) ?? ""
            return now.hasPrefix(syscall)
            #else
            return (try? String(contentsOfFile: "/proc/\(pid)/wchan", encoding: .utf8)).map { $0.contains("pipe") } ?? false
            #endif
        }
    }
}
