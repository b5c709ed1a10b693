import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Issue 17 item 16: `-q` shows warnings and errors only, on every command: connect's progress
/// and its ready panel, start's wait, the confirmations of stop, kill and tunnel are left out;
/// data asked for (`list`) and warnings are not.
final class QuietEndToEndTests: EndToEndCase {
    override class var runsOnEveryAPI: Bool { false }

    func testQuietLeavesOnlyWarningsAndErrors() throws {
        let connected = try cli.run(["connect", "--no-shell", "--gpu", "A40", "--name", "hush", "-q"])
        XCTAssertEqual(connected.status, 0, "\(connected)")
        XCTAssertEqual(connected.stdout, "", "connect -q prints no panel")
        XCTAssertEqual(connected.stderr, "", "connect -q prints no progress")

        let listed = try cli.run(["list", "-q"])
        XCTAssertTrue(listed.stdout.contains("hush"), "data asked for is still shown: \(listed)")

        let port = try freeLoopbackPort()
        let tunnel = try cli.run(["tunnel", "--detach", "hush", "\(port):8888", "-q"], timeout: .seconds(60))
        XCTAssertEqual(tunnel.status, 0, "\(tunnel)")
        XCTAssertEqual(tunnel.stdout + tunnel.stderr, "", "\(tunnel)")
        let untunnel = try cli.run(["tunnel", "stop", "hush", "-q"], timeout: .seconds(60))
        XCTAssertEqual(untunnel.status, 0, "\(untunnel)")
        XCTAssertEqual(untunnel.stdout + untunnel.stderr, "", "\(untunnel)")

        for command in [["stop", "hush", "-q"], ["start", "hush", "-q"], ["kill", "hush", "--yes", "-q"]] {
            let result = try cli.run(command, timeout: .seconds(120))
            XCTAssertEqual(result.status, 0, "\(result)")
            XCTAssertEqual(result.stdout + result.stderr, "", "\(command) -q: \(result)")
        }

        // A warning still shows: a configured forward's port is taken and moves.
        let busy = try TCPTestServer(mode: .echo)
        defer { busy.stop() }
        try writeConfig(extra: ["forwards": [busy.port]])
        try connect(["--gpu", "A40", "--name", "loud"])
        let moved = try cli.run(["tunnel", "--detach", "loud", "-q"], timeout: .seconds(60))
        XCTAssertEqual(moved.status, 0, "\(moved)")
        XCTAssertEqual(moved.stdout, "", "\(moved)")
        XCTAssertTrue(moved.stderr.contains("localhost:\(busy.port) is taken by another program"), moved.stderr)
        _ = try cli.run(["tunnel", "stop", "all"], timeout: .seconds(30))
    }

    /// A foreground tunnel under `-q`: no "connecting"/"up"/"stopped" lines and no live status,
    /// while it carries traffic as ever; Ctrl+C still ends it with 130.
    func testQuietForegroundTunnelPrintsNothingWhileAllIsWell() throws {
        try connect(["--gpu", "A40", "--name", "calm"])
        let port = try freeLoopbackPort()
        let tunnel = try cli.start(["tunnel", "calm", "\(port):8888", "-q"])
        backgroundProcesses.append(tunnel)
        try eventually("the tunnel carries a request", timeout: 60) {
            (try? TunnelEndToEndTests.httpGet(port))?.isEmpty == false
        }
        tunnel.interrupt()
        let ended = tunnel.wait(timeout: .seconds(30))
        XCTAssertEqual(ended.status, 130, "\(ended)")
        XCTAssertEqual(ended.stdout + ended.stderr, "", "tunnel -q in the foreground: \(ended)")
    }
}
