import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Issue 17 item 19, the small things that look careless, one test each, with the built binary
/// against runpod-sim (a tmux pane where a terminal matters).
final class SmallThingsEndToEndTests: EndToEndCase {
    override class var runsOnEveryAPI: Bool { false }

    func testATemporaryProblemReadsAsOneSentence() throws {
        // RunPod's own text ends in a full stop: "...or contact support."
        try sim.addFault(["status": 500, "count": 20])
        let result = try cli.run(["gpus"])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("contact support. Try again"), result.stderr)
        XCTAssertFalse(result.stderr.contains(".."), result.stderr)
    }

    func testDryRunJSONRoundsTheDailyEstimate() throws {
        let result = try cli.run(["connect", "--dry-run", "--json", "--gpu", "A40"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let plan = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertNotNil(plan["estimatedPerDay"] as? Double, result.stdout)
        XCTAssertFalse(result.stdout.contains("0000000"), result.stdout)
    }

    func testTildeDotSaysConnectionClosedOnce() throws {
        try connect(["--gpu", "A40", "--name", "tilde"])
        let terminal = try cli.tmux(["shell", "tilde", "--no-forwards"], width: 160, height: 30)
        try terminal.type("echo $((6*7))")
        try terminal.waitFor("42")
        try terminal.type("~.", enter: false)
        // As OpenSSH's `~.`: the session was cut, not ended by the remote shell.
        XCTAssertEqual(try terminal.waitForExit(timeout: 30), 255)
        let screen = try terminal.capture()
        XCTAssertEqual(screen.components(separatedBy: "Connection to").count - 1, 1, screen)
        XCTAssertTrue(screen.contains("Connection to tilde closed."), screen)
    }

    /// Colour on a terminal, none when NO_COLOR says so (an empty NO_COLOR does not count).
    func testColourOnATerminalUnlessNoColorIsSet() throws {
        let coloured = try cli.tmux(["gpus"], extraEnvironment: ["NO_COLOR": ""], width: 160, height: 30)
        XCTAssertEqual(try coloured.waitForExit(timeout: 30), 0)
        let screen = try coloured.capture(styles: true)
        // As tmux redraws it: the header bold, stock in green, the footnote dim.
        XCTAssertTrue(screen.contains("\u{1B}[1mGPU "), screen.debugDescription)
        XCTAssertTrue(screen.contains("\u{1B}[32mHigh"), "stock shown in green: \(screen.debugDescription)")
        XCTAssertTrue(screen.contains("\u{1B}[2m\u{1B}[39mStock for 1 GPU"), screen.debugDescription)

        let plain = try cli.tmux(["gpus"], width: 160, height: 30)
        XCTAssertEqual(try plain.waitForExit(timeout: 30), 0)
        let text = try plain.capture(styles: true)
        XCTAssertTrue(text.contains("A40") && text.contains("High"), text)
        XCTAssertFalse(text.contains("\u{1B}["), text.debugDescription)
    }

    func testTheProgressLineEndsBeforeTheNextMessage() throws {
        let terminal = try cli.tmux(["connect", "--no-shell", "--gpu", "A40", "--name", "lines"], width: 200, height: 40)
        XCTAssertEqual(try terminal.waitForExit(timeout: 120), 0)
        let screen = try terminal.capture()
        let notice = try XCTUnwrap(screen.split(separator: "\n").first { $0.contains("First contact") }, screen)
        XCTAssertTrue(notice.hasPrefix("First contact"), "the notice starts its own line: \(screen)")
    }

    func testUsageErrorsNameTheCommandAndTheNumber() throws {
        // Both were already right on main when this was checked; kept so they stay right.
        let bogus = try cli.run(["config", "init", "--bogus"])
        XCTAssertEqual(bogus.status, 2, "\(bogus)")
        XCTAssertTrue(bogus.stderr.contains("Usage: autopod config init"), bogus.stderr)
        let negative = try cli.run(["connect", "--gpu-count", "-1", "--dry-run"])
        XCTAssertEqual(negative.status, 2, "\(negative)")
        XCTAssertTrue(negative.stderr.contains("--gpu-count must be between 1 and 8, not -1"), negative.stderr)
        XCTAssertFalse(negative.stderr.contains("Missing value"), negative.stderr)
    }

    func testWaitTimeoutMustBeAFiniteDuration() throws {
        for bad in ["inf", "nan", "1e300", "infinity"] {
            let result = try cli.run(["connect", "--dry-run", "--wait-timeout", bad])
            XCTAssertEqual(result.status, 2, "\(bad): \(result)")
            XCTAssertTrue(result.stderr.contains("invalid for '--wait-timeout"), result.stderr)
        }
    }

    func testTunnelLinesOnATerminalReadAsSentences() throws {
        try connect(["--gpu", "A40", "--name", "tun"])
        let port = try freeLoopbackPort()
        let terminal = try cli.tmux(["tunnel", "tun", "\(port):8888"], width: 200, height: 20)
        let screen = try terminal.waitFor("up: localhost:")
        XCTAssertTrue(screen.contains("tunnel: up: localhost:\(port)"), screen)
        XCTAssertTrue(screen.contains("tunnel: connecting to tun"), screen)
        try terminal.press("C-c")
        XCTAssertEqual(try terminal.waitForExit(timeout: 30), 130)
    }

    func testInfoJSONHasThePorts() throws {
        try connect(["--gpu", "A40", "--name", "porty"])
        let info = try XCTUnwrap(try cli.json(["info", "porty"]) as? [String: Any])
        XCTAssertEqual(info["ports"] as? String, "8888/http,22/tcp", "\(info)")
    }

    func testAPodMadeElsewhereIsDatedByItsStart() throws {
        _ = try sim.createPodDirectly(name: "elsewhere")
        // Seen by autopod only once it has been up a while, as a pod made from the console is.
        try eventually("the pod has been up 4 s", timeout: 30) {
            let reply = try sim.graphQL("query { myself { pods { name runtime { uptimeInSeconds } } } }", variables: [:])
            let pods = ((reply["data"] as? [String: Any])?["myself"] as? [String: Any])?["pods"] as? [[String: Any]] ?? []
            let uptime = (pods.first { $0["name"] as? String == "elsewhere" }?["runtime"] as? [String: Any])?["uptimeInSeconds"] as? Int
            return (uptime ?? 0) >= 4
        }
        let pod = try XCTUnwrap(try listJSON().first { $0["name"] as? String == "elsewhere" })
        XCTAssertEqual(pod["createdByAutopod"] as? Bool, false)
        let created = try XCTUnwrap(ISO8601DateFormatter().date(from: try XCTUnwrap(pod["createdAt"] as? String)))
        let running = try XCTUnwrap(pod["runningSeconds"] as? Double)
        XCTAssertGreaterThanOrEqual(running, 3, "\(pod)")
        XCTAssertLessThanOrEqual(created.timeIntervalSinceNow, -3, "created when it started, not when autopod first saw it: \(pod)")
    }

    func testNoStockAdviceNamesOnlyTypesInStock() throws {
        try sim.setStock("NVIDIA A40", "None")
        let result = try cli.run(["connect", "--no-shell", "--gpu", "A40"])
        XCTAssertEqual(result.status, 1, "\(result)")
        let advice = try XCTUnwrap(result.stderr.split(separator: "\n").first { $0.contains("In stock now:") }, result.stderr)
        XCTAssertFalse(advice.contains("A40"), String(advice))
        XCTAssertFalse(result.stderr.contains("A40,4090"), result.stderr)
    }

    func testDryRunRefusesANameInUse() throws {
        try connect(["--gpu", "A40", "--name", "twice"])
        let result = try cli.run(["connect", "--dry-run", "--gpu", "A40", "--name", "twice"])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("a pod named twice already exists"), result.stderr)
    }

    func testKillOfATerminatedPodAndADeclinedKill() throws {
        try connect(["--gpu", "A40", "--name", "gone"])
        XCTAssertEqual(try cli.run(["kill", "gone", "--yes"]).status, 0)
        let again = try cli.run(["kill", "gone", "--yes"])
        XCTAssertEqual(again.status, 1, "\(again)")
        XCTAssertTrue(again.stderr.contains("gone is already terminated"), again.stderr)
        XCTAssertFalse(again.stderr.contains("no pod matches"), again.stderr)

        try connect(["--gpu", "A40", "--name", "kept"])
        let terminal = try cli.tmux(["kill", "kept"], width: 160, height: 20)
        try terminal.waitFor("Terminate kept")
        try terminal.type("n")
        XCTAssertEqual(try terminal.waitForExit(timeout: 30), 1, "declining does nothing: exit 1")
        XCTAssertEqual(try listJSON().first { $0["name"] as? String == "kept" }?["status"] as? String, "RUNNING")
    }
}
