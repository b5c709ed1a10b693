import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Issue 17 item 15: `start` waits until SSH answers (an `exec` right after works), `start
/// --shell` opens the shell; `shell`/`exec` on a stopped pod say how to start it instead of
/// trying to reach it; "not enough free GPUs" does not advise copying data off a pod that
/// cannot start.
final class StartShellEndToEndTests: EndToEndCase {
    func testStoppedPodIsNamedByShellAndExecAndStartWaitsForSSH() throws {
        try connect(["--gpu", "A40", "--name", "nap"])
        XCTAssertEqual(try cli.run(["stop", "nap"]).status, 0)

        let exec = try cli.run(["exec", "nap", "--", "true"])
        XCTAssertEqual(exec.status, 255, "\(exec)")
        XCTAssertTrue(exec.stderr.contains("nap is stopped: `autopod start nap` resumes it"), exec.stderr)
        XCTAssertFalse(exec.stderr.contains("waiting for it"), exec.stderr)
        let terminal = try cli.tmux(["shell", "nap"], width: 200, height: 20)
        XCTAssertEqual(try terminal.waitForExit(timeout: 30), 255)
        let screen = try terminal.capture()
        XCTAssertTrue(screen.contains("nap is stopped: `autopod start nap`"), screen)

        let started = try cli.run(["start", "nap"], timeout: .seconds(120))
        XCTAssertEqual(started.status, 0, "\(started)")
        XCTAssertTrue(started.stdout.contains("SSH answers"), started.stdout)
        // Right after: start returned only once SSH answered.
        let after = try cli.run(["exec", "nap", "--", "echo", "up"])
        XCTAssertEqual(after.status, 0, "\(after)")
        XCTAssertEqual(after.stdout, "up\n")
    }

    func testStartShellOpensAShellOnceSSHAnswers() throws {
        try connect(["--gpu", "A40", "--name", "wake"])
        XCTAssertEqual(try cli.run(["stop", "wake"]).status, 0)
        let usage = try cli.run(["start", "wake", "--shell", "--no-wait"])
        XCTAssertEqual(usage.status, 2, "\(usage)")

        let terminal = try cli.tmux(["start", "wake", "--shell"], width: 200, height: 30)
        _ = try terminal.waitFor("SSH answers", timeout: 120)
        try terminal.type("echo $((6*7))")
        _ = try terminal.waitFor("42")
        try terminal.type("exit 3")
        XCTAssertEqual(try terminal.waitForExit(timeout: 30), 3)
    }

    func testHostBusyAdviceDoesNotSuggestCopyingDataOff() throws {
        try connect(["--gpu", "A40", "--name", "busy"])
        XCTAssertEqual(try cli.run(["stop", "busy"]).status, 0)
        try sim.setStock("NVIDIA A40", "None")
        let refused = try cli.run(["start", "busy"])
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("cannot start"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("copy out"), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("Kill deletes the pod's volume and its data"), refused.stderr)
    }
}
