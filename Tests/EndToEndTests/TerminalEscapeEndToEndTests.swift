import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// A pod named by someone else on the account with escape sequences (OSC title, BEL, screen
/// clear, CR) is shown escaped by `list`, `info` and `tunnel list` in a real terminal: the
/// screen keeps the output and the title stays as it was. `--json` keeps the exact name.
final class TerminalEscapeEndToEndTests: EndToEndCase {
    static let hostileName = "evil\u{1B}]2;pwned\u{07}\u{1B}[2J\rX\u{202E}"
    static let shownName = #"evil\x1b]2;pwned\x07\x1b[2J\x0dX\u{202e}"#

    override func tearDownWithError() throws {
        _ = try? cli.run(["tunnel", "stop", "all"], timeout: .seconds(30))
        try super.tearDownWithError()
    }

    func testHostilePodNameIsEscapedInListInfoAndTunnelList() throws {
        // The pod is made by someone else on the account, so it carries the account's keys (as
        // RunPod injects them), among them this user's, as `config init` registers it.
        let publicKey = try String(contentsOf: cli.home.appendingPathComponent("id_test.pub"), encoding: .utf8)
        _ = try sim.client.graphQL(
            "mutation($key: String!) { updateUserSettings(input: {pubKey: $key}) { id } }",
            variables: ["key": publicKey.trimmingCharacters(in: .whitespacesAndNewlines)])
        let reply = try sim.client.graphQL(
            """
            mutation($name: String!) { podFindAndDeployOnDemand(input: {cloudType: SECURE, gpuTypeId: "NVIDIA A40", \
            gpuCount: 1, name: $name, imageName: "runpod/pytorch:2.4.0", ports: "8888/http,22/tcp", \
            startSsh: true, containerDiskInGb: 20, volumeInGb: 0}) { id } }
            """, variables: ["name": Self.hostileName])
        let id = try XCTUnwrap((reply.data("podFindAndDeployOnDemand") as? [String: Any])?["id"] as? String, reply.text)
        _ = try sim.client.waitForSSHPort(id)

        let listed = try listJSON()
        XCTAssertEqual(listed.first?["name"] as? String, Self.hostileName, "--json keeps the exact name")

        let port = try FreePort.allocate()
        let tunnel = try cli.run(["tunnel", id, "\(port):8888", "--detach"], timeout: .seconds(90))
        XCTAssertEqual(tunnel.status, 0, "\(tunnel)")
        XCTAssertTrue(tunnel.stdout.contains(Self.shownName), tunnel.stdout)
        XCTAssertFalse(tunnel.stdout.contains("\u{1B}]"), "--detach printed the name raw: \(tunnel.stdout)")
        let tunnels = try XCTUnwrap(try cli.json(["tunnel", "list"]) as? [[String: Any]])
        XCTAssertEqual(tunnels.count, 1, "\(tunnel) \(cli.logText())")
        // tunnel list's table as plain output; the tmux screen below shows it again.
        let tunnelList = try cli.run(["tunnel", "list"])
        XCTAssertTrue(tunnelList.stdout.contains(Self.shownName), tunnelList.stdout)
        XCTAssertFalse(tunnelList.stdout.contains("\u{1B}]"), tunnelList.stdout)

        let script = "\(CLIRunner.autopod) list; \(CLIRunner.autopod) info \(id); \(CLIRunner.autopod) tunnel list; echo ALL-DONE"
        let session = try TmuxSession(
            ["/bin/sh", "-c", script], environment: cli.environment.merging(["TERM": "xterm-256color"]) { $1 }, width: 200, height: 60)
        let titleBefore = try session.title()
        let screen = try session.waitFor("ALL-DONE", timeout: 60)
        XCTAssertEqual(try session.waitForExit(), 0, screen)
        XCTAssertNotEqual(try session.title(), "pwned", "the pod name set the terminal title")
        XCTAssertEqual(try session.title(), titleBefore)
        // list's row and info's title each show the name escaped; a cleared
        // screen or a carriage return would have lost the earlier lines.
        XCTAssertGreaterThanOrEqual(screen.components(separatedBy: Self.shownName).count - 1, 2, screen)
        XCTAssertTrue(screen.contains("NAME"), screen)
    }

    func testNameWithControlCharactersIsRefused() throws {
        let result = try cli.run(["connect", "--no-shell", "--name", "a\u{1B}]2;x\u{07}"])
        XCTAssertEqual(result.status, 2, "\(result)")
        XCTAssertTrue(result.stderr.contains("control characters"), result.stderr)
        XCTAssertEqual(try sim.livePods().count, 0)
    }
}
