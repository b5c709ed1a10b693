import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `exec`, `shell` and host-key pinning through the built binary, against runpod-sim pods
/// (real sshd processes), with no ssh client anywhere on PATH.
final class SSHEndToEndTests: EndToEndCase {
    private func podName() throws -> String {
        try XCTUnwrap(listJSON().first?["name"] as? String)
    }

    private func podID() throws -> String {
        try XCTUnwrap(listJSON().first?["id"] as? String)
    }

    private var knownHosts: String {
        (try? String(contentsOf: cli.home.appendingPathComponent("known_hosts"), encoding: .utf8)) ?? ""
    }

    func testExecStatusesStreamsAndTheRunPodEnvironment() throws {
        let connected = try connect()
        XCTAssertTrue(connected.stderr.contains("SHA256:"), "first contact shows the fingerprint:\n\(connected)")
        let pod = try podName()
        let id = try podID()
        XCTAssertTrue(knownHosts.contains("autopod-pod=\(id)"), knownHosts)

        let ok = try cli.run(["exec", pod, "--", "echo out; echo err >&2; echo pod=$RUNPOD_POD_ID"])
        XCTAssertEqual(ok.status, 0, "\(ok)")
        XCTAssertEqual(ok.stdout, "out\npod=\(id)\n")
        XCTAssertEqual(ok.stderr, "err\n")
        XCTAssertEqual(try cli.run(["exec", pod, "--", "exit", "3"]).status, 3)
        XCTAssertEqual(try cli.run(["exec", pod, "--", "no-such-command-here"]).status, 127)
        XCTAssertEqual(try cli.run(["exec", pod, "--", "kill -TERM $$"]).status, 128 + 15)
        let missing = try cli.run(["exec", pod])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("after `--`"), missing.stderr)
    }

    func testExecForwardsPipedStdinAndItsEnd() throws {
        try connect()
        let pod = try podName()
        let payload = (0..<2000).map { "line \($0)" }.joined(separator: "\n") + "\n"
        let result = try cli.run(["exec", pod, "--", "f=$(mktemp); cat > $f; wc -c < $f; sha256sum < $f; rm -f $f"], stdin: payload)
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.first.map(String.init)?.trimmingCharacters(in: .whitespaces), "\(payload.utf8.count)")
        let local = try ChildProcess.run(["/usr/bin/sha256sum"], input: payload).stdout.split(separator: " ").first
        XCTAssertEqual(lines.last?.split(separator: " ").first, local)
    }

    func testShellInATerminal() throws {
        try connect()
        let pod = try podName()
        let terminal = try cli.tmux(["shell", pod], width: 100, height: 30)
        try terminal.waitFor("forwarding localhost:8888")
        try terminal.type("echo $((6*7)); stty size")
        try terminal.waitFor("42")
        try terminal.waitFor("30 100")
        try terminal.resize(width: 90, height: 25)
        Thread.sleep(forTimeInterval: 0.3)
        try terminal.type("stty size")
        try terminal.waitFor("25 90")
        try terminal.type("exit 5")
        XCTAssertEqual(try terminal.waitForExit(), 5)
    }

    func testShellWithoutATerminalPointsToExec() throws {
        try connect()
        let result = try cli.run(["shell", try podName()])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("autopod exec"), result.stderr)
    }

    func testHostKeyPinningRefusesAChangeAcceptsARestartAndKillBuries() throws {
        try connect()
        let pod = try podName()
        let id = try podID()
        let pinned = knownHosts
        XCTAssertFalse(pinned.isEmpty)

        // Another key for the same pod, with no restart seen: refused, naming the way out.
        let other = cli.home.appendingPathComponent("other_host_key")
        _ = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.path])
        let otherKey = try String(contentsOf: other.appendingPathExtension("pub"), encoding: .utf8).split(separator: " ")[1]
        let tampered =
            pinned.split(separator: "\n").map { line -> String in
                var parts = line.split(separator: " ").map(String.init)
                parts[2] = String(otherKey)
                return parts.joined(separator: " ")
            }.joined(separator: "\n") + "\n"
        try Data(tampered.utf8).write(to: cli.home.appendingPathComponent("known_hosts"))
        let refused = try cli.run(["exec", pod, "--", "true"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--accept-new-host-key"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("SHA256:"), refused.stderr)
        let accepted = try cli.run(["exec", pod, "--accept-new-host-key", "--", "true"])
        XCTAssertEqual(accepted.status, 0, "\(accepted)")

        // A stop and start that autopod saw: the pod's new key replaces the old with a notice.
        XCTAssertEqual(try cli.run(["stop", pod]).status, 0)
        let started = try cli.run(["start", pod])
        XCTAssertEqual(started.status, 0, "\(started)")
        var afterRestart: ProcessResult?
        try eventually("the restarted pod answers exec", timeout: 60) {
            let result = try cli.run(["exec", pod, "--", "echo back"])
            afterRestart = result
            return result.status == 0
        }
        XCTAssertEqual(afterRestart?.stdout, "back\n")
        // `start` waits for SSH and puts the guard back, so it is the first to meet the new key.
        XCTAssertTrue(
            (started.stderr + (afterRestart?.stderr ?? "")).contains("accepted because autopod saw the pod stop and start"),
            "\(started) \(String(describing: afterRestart))")

        XCTAssertEqual(try cli.run(["kill", pod, "--yes"]).status, 0)
        // kill replaces the pod's key with a tombstone, so nothing is pinned for the id again.
        let lines = knownHosts.split(separator: "\n").filter { $0.contains("autopod-pod=\(id)") }
        XCTAssertEqual(lines.count, 1, knownHosts)
        XCTAssertTrue(lines.first?.hasPrefix("# autopod-killed") ?? false, knownHosts)
    }
}
