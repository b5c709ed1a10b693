import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `exec` and `shell` against runpod-sim pods through the built binary: the argv the user wrote
/// arrives unchanged, the environment wrapper is invisible, a closed pipe ends the command, and
/// a lost pod or link ends the session promptly with 255 and the reason.
final class ExecEndToEndTests: EndToEndCase {
    private func pod() throws -> (name: String, id: String) {
        let first = try XCTUnwrap(listJSON().first)
        return (try XCTUnwrap(first["name"] as? String), try XCTUnwrap(first["id"] as? String))
    }

    func testStreamsStayApartAndTheStatusComesBack() throws {
        try connect()
        let name = try pod().name
        let result = try cli.run(["exec", name, "--", "sh", "-c", "echo to-out; echo to-err >&2; exit 7"])
        XCTAssertEqual(result.status, 7, "\(result)")
        XCTAssertEqual(result.stdout, "to-out\n")
        XCTAssertEqual(result.stderr, "to-err\n")
        // One word is still a shell command line.
        let line = try cli.run(["exec", name, "--", "cd / && pwd"])
        XCTAssertEqual(line.stdout, "/\n", "\(line)")
    }

    /// The list that found the pod also says where it is: `exec` and `cp` ask RunPod once, not
    /// once more for the pod's endpoint (each call is 0.1-0.3 s on RunPod's API).
    func testACommandAsksRunPodOnceBeforeItConnects() throws {
        try connect()
        let name = try pod().name
        let scratch = try makeTempDirectory(prefix: "exec-e2e")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for arguments in [["exec", name, "--verbose", "--", "true"], ["cp", "--verbose", "\(name):/etc/hostname", scratch + "/hostname"]] {
            let result = try cli.run(arguments)
            XCTAssertEqual(result.status, 0, "\(result)")
            // The list, and no second request for the one pod ("GET /v2/pods/ID", GraphQL's "Pod").
            let calls = result.stderr.split(separator: "\n").filter { $0.contains("→ HTTP") }
            XCTAssertEqual(calls.count, 1, "\(arguments[0]): \(calls)")
        }
    }

    func testSeveralWordsArriveAsTheExactArgv() throws {
        try connect()
        let name = try pod().name
        let words = ["a b", "it's", "\"double\"", "$HOME", "*", "line1\nline2", "", "back\\slash", "tab\there", "; exit 9"]
        let result = try cli.run(["exec", name, "--", "sh", "-c", #"printf '%s\n' "$@""#, "sh"] + words)
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertEqual(result.stdout, words.map { $0 + "\n" }.joined(), "\(result)")
    }

    func testTheEnvironmentWrapperLeavesStatusAndEmptyCommandsAlone() throws {
        try connect()
        let name = try pod().name
        let empty = try cli.run(["exec", name, "--", ""])
        XCTAssertEqual(empty.status, 0, "\(empty)")
        XCTAssertEqual(empty.stdout, "")
        let status = try cli.run(["exec", name, "--", "echo $?"])
        XCTAssertEqual(status.stdout, "0\n", "\(status)")
        XCTAssertEqual(try cli.run(["exec", name, "--", "exit 1"]).status, 1, "a remote exit 1 stays 1")
    }

    func testAClosedPipeEndsTheCommandWith141() throws {
        try connect()
        let name = try pod().name
        var environment = cli.environment
        environment["PATH"] = "/usr/bin:/bin"
        environment["AUTOPOD"] = CLIRunner.autopod
        // `timeout` makes a hang (the old behaviour) fail as 124 rather than stall the suite.
        let marker = "autopod-pipe-\(UUID().uuidString.prefix(8))"
        let script = #"timeout 60 "$AUTOPOD" exec "$1" -- yes "$2" | head -1; echo "status=${PIPESTATUS[0]}""#
        let result = try ChildProcess.run(["/bin/bash", "-c", script, "bash", name, marker], environment: environment, timeout: .seconds(90))
        XCTAssertEqual(result.stdout, "\(marker)\nstatus=141\n", "\(result.stdout)\n\(result.stderr)")
        XCTAssertEqual(result.stderr, "", "quiet, as a pipeline's writer is")
        // And the remote `yes` went with its channel (`[y]es` keeps the check from finding itself).
        try eventually("the remote yes is gone") {
            try cli.run(["exec", name, "--", "pgrep -f '[y]es \(marker)' || echo none"]).stdout == "none\n"
        }
    }

    func testExecWithATerminal() throws {
        try connect()
        let name = try pod().name
        let plain = try cli.run(["exec", name, "--", "tty"])
        XCTAssertEqual(plain.stdout, "not a tty\n", "\(plain)")
        let withTerminal = try cli.run(["exec", "-t", name, "--", "tty; echo $TERM"])
        XCTAssertEqual(withTerminal.status, 0, "\(withTerminal)")
        XCTAssertTrue(withTerminal.stdout.hasPrefix("/dev/pts/"), "\(withTerminal)")
    }

    func testCtrlCStopsTheRemoteCommand() throws {
        try connect()
        let name = try pod().name
        let seconds = Int.random(in: 100_000...999_999)
        // A foreground child of the remote shell, as a training script would be.
        let running = try cli.start(["exec", name, "--", "echo started >&2; sleep \(seconds); echo after"])
        try eventually("the command runs") { running.stderrSoFar.contains("started") }
        running.interrupt()
        let result = try running.wait(timeout: .seconds(60))
        XCTAssertEqual(result.status, 130, "\(result)")
        try eventually("the remote sleep is gone", timeout: 10) {
            try cli.run(["exec", name, "--", "pgrep -f '[s]leep \(seconds)' || echo none"]).stdout == "none\n"
        }
    }

    func testALostLinkEndsExecWith255AndSaysSo() throws {
        try connect()
        let (name, id) = try pod()
        let running = try cli.start(["exec", name, "--", "echo started >&2; sleep 300"])
        try eventually("the command runs") { running.stderrSoFar.contains("started") }
        let cut = Date()
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/network", ["up": false]).status, 200)
        let result = try running.wait(timeout: .seconds(60))
        let took = Date().timeIntervalSince(cut)
        XCTAssertEqual(result.status, 255, "\(result)")
        XCTAssertTrue(result.stderr.contains("lost the connection to \(name)"), result.stderr)
        XCTAssertTrue(result.stderr.contains("link to the pod is down"), result.stderr)
        print("exec noticed the dead link after \(String(format: "%.1f", took)) s")
    }

    func testAStoppedPodEndsExecWith255AndSaysSo() throws {
        try connect()
        let name = try pod().name
        let running = try cli.start(["exec", name, "--", "echo started >&2; sleep 300"])
        try eventually("the command runs") { running.stderrSoFar.contains("started") }
        XCTAssertEqual(try cli.run(["stop", name]).status, 0)
        let result = try running.wait(timeout: .seconds(60))
        XCTAssertEqual(result.status, 255, "\(result)")
        XCTAssertTrue(result.stderr.contains("the pod was stopped"), result.stderr)
        XCTAssertTrue(result.stderr.contains("autopod start \(name)"), result.stderr)
    }

    func testALostLinkEndsTheShellWith255AndSaysSo() throws {
        try connect()
        let (name, id) = try pod()
        let terminal = try cli.tmux(["shell", name, "--no-forwards"], width: 160, height: 30)
        try terminal.type("echo $((6*7))")
        try terminal.waitFor("42")
        let cut = Date()
        XCTAssertEqual(try sim.client.control("POST", "/_sim/pods/\(id)/network", ["up": false]).status, 200)
        XCTAssertEqual(try terminal.waitForExit(timeout: 60), 255)
        print("shell noticed the dead link after \(String(format: "%.1f", Date().timeIntervalSince(cut))) s")
        let screen = try terminal.capture()
        XCTAssertTrue(screen.contains("link to the pod is down"), screen)
    }
}
