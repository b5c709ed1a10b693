import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Issue 17 item 18 and issue 11 item 15, with the built binary against runpod-sim: a running
/// tunnel takes more ports and gives some back without a restart, `tunnel POD` means the
/// configured forwards (which take LOCAL:REMOTE), a port autopod's own tunnel holds is named as
/// such, and a configured port that another program holds moves to the next free one.
final class TunnelGrowthEndToEndTests: EndToEndCase {
    /// About local ports and the tunnel's own process, not about either API.
    override class var runsOnEveryAPI: Bool { false }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try writeConfig(extra: ["ports": "8888/http,6006/http,22/tcp"])
    }

    override func tearDownWithError() throws {
        _ = try? cli.run(["tunnel", "stop", "all"], timeout: .seconds(30))
        try super.tearDownWithError()
    }

    func testARunningTunnelTakesMorePortsAndGivesOneBack() throws {
        let pod = try createPod()
        let (first, second) = (try freeLoopbackPort(), try freeLoopbackPort())
        let started = try cli.run(["tunnel", "--detach", pod.name, "\(first):8888"], timeout: .seconds(60))
        XCTAssertEqual(started.status, 0, "\(started)")
        try eventually("the first port serves", timeout: 30) { (try? Self.get(first)) == "runpod-sim pod \(pod.id) port 8888" }
        let pid = try tunnelPID()

        let joined = try cli.run(["tunnel", "--detach", pod.name, "\(second):6006"], timeout: .seconds(60))
        XCTAssertEqual(joined.status, 0, "a second `tunnel --detach` joins the running one: \(joined)")
        XCTAssertTrue(joined.stdout.contains("added localhost:\(second) → \(pod.name):6006"), joined.stdout)
        XCTAssertEqual(try Self.get(second), "runpod-sim pod \(pod.id) port 6006")
        XCTAssertEqual(try Self.get(first), "runpod-sim pod \(pod.id) port 8888")
        XCTAssertEqual(try tunnelPID(), pid, "the same process carries both")
        XCTAssertEqual(try listedPorts(), [first, second])

        // The same port again is no error; another remote port on it is.
        let again = try cli.run(["tunnel", pod.name, "\(second):6006"], timeout: .seconds(60))
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertTrue(again.stdout.contains("already forwarded"), again.stdout)
        let clash = try cli.run(["tunnel", pod.name, "\(second):8888"], timeout: .seconds(60))
        XCTAssertEqual(clash.status, 1, "\(clash)")
        XCTAssertTrue(clash.stderr.contains("already forwards localhost:\(second)"), clash.stderr)

        let removed = try cli.run(["tunnel", "stop", pod.name, "\(second)"], timeout: .seconds(60))
        XCTAssertEqual(removed.status, 0, "\(removed)")
        XCTAssertTrue(removed.stdout.contains("stopped forwarding localhost:\(second)"), removed.stdout)
        XCTAssertNil(try? Self.get(second, timeout: 2), "the removed port is closed")
        XCTAssertEqual(try Self.get(first), "runpod-sim pod \(pod.id) port 8888")
        XCTAssertEqual(try tunnelPID(), pid)
        XCTAssertEqual(try listedPorts(), [first])

        // Removing the last port is stopping the tunnel.
        let last = try cli.run(["tunnel", "stop", pod.name, "\(first)"], timeout: .seconds(60))
        XCTAssertEqual(last.status, 0, "\(last)")
        XCTAssertTrue(last.stdout.contains("stopped the tunnel"), last.stdout)
        XCTAssertEqual((try cli.json(["tunnel", "list"]) as? [Any])?.count, 0)
    }

    func testTunnelWithoutPortsOpensTheConfiguredForwardsAsLocalRemote() throws {
        let (jupyter, board) = (try freeLoopbackPort(), try freeLoopbackPort())
        try writeConfig(extra: ["ports": "8888/http,6006/http,22/tcp", "forwards": ["\(jupyter):8888", "\(board):6006"]])
        let shown = try cli.run(["config", "show"])
        XCTAssertTrue(shown.stdout.contains("\(jupyter):8888, \(board):6006"), shown.stdout)
        let pod = try createPod()
        let started = try cli.run(["tunnel", "--detach", pod.name], timeout: .seconds(60))
        XCTAssertEqual(started.status, 0, "\(started)")
        try eventually("the configured forwards serve", timeout: 30) { (try? Self.get(jupyter)) == "runpod-sim pod \(pod.id) port 8888" }
        XCTAssertEqual(try Self.get(board), "runpod-sim pod \(pod.id) port 6006")

        // `config init --forward` takes LOCAL:REMOTE and writes it back as given.
        let saved = try cli.run(["config", "init", "--non-interactive", "--forward", "8888,16006:6006"])
        XCTAssertEqual(saved.status, 0, "\(saved)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: cli.home.appendingPathComponent("config.json"))) as? [String: Any]
        XCTAssertEqual(config?["forwards"] as? NSArray, [8888, "16006:6006"] as NSArray)
    }

    func testAPortHeldByAutopodsOwnTunnelIsNamedAsSuch() throws {
        try connect(["--gpu", "A40", "--name", "one"])
        try connect(["--gpu", "A40", "--name", "two"])
        let port = try freeLoopbackPort()
        let started = try cli.run(["tunnel", "--detach", "one", "\(port):8888"], timeout: .seconds(60))
        XCTAssertEqual(started.status, 0, "\(started)")
        let other = try cli.run(["tunnel", "two", "\(port):8888"], timeout: .seconds(60))
        XCTAssertEqual(other.status, 1, "\(other)")
        XCTAssertTrue(other.stderr.contains("held by autopod's own tunnel to one"), other.stderr)
        XCTAssertFalse(other.stderr.contains("another program"), other.stderr)
    }

    func testATakenConfiguredPortMovesToTheNextFreeOne() throws {
        let busy = try TCPTestServer(mode: .echo)
        defer { busy.stop() }
        try writeConfig(extra: ["ports": "8888/http,6006/http,22/tcp", "forwards": ["\(busy.port):8888"]])
        let pod = try createPod()
        let started = try cli.run(["tunnel", "--detach", pod.name], timeout: .seconds(60))
        XCTAssertEqual(started.status, 0, "\(started)")
        XCTAssertTrue(started.stderr.contains("localhost:\(busy.port) is taken by another program"), started.stderr)
        let moved = try XCTUnwrap(try listedPorts().first)
        XCTAssertNotEqual(moved, busy.port)
        XCTAssertTrue(started.stderr.contains("on localhost:\(moved) instead"), started.stderr)
        try eventually("the moved port serves", timeout: 30) { (try? Self.get(moved)) == "runpod-sim pod \(pod.id) port 8888" }
        _ = try cli.run(["tunnel", "stop", "all"], timeout: .seconds(30))

        // The shell does the same with its forwards, and says so before the prompt.
        let terminal = try cli.tmux(["shell", pod.name], width: 200, height: 30)
        let screen = try terminal.waitFor("forwarding localhost:")
        XCTAssertTrue(screen.contains("localhost:\(busy.port) is taken by another program"), screen)
        XCTAssertTrue(screen.contains("→ pod:8888"), screen)
        try terminal.type("exit")
        _ = try terminal.waitForExit(timeout: 30)
    }

    // MARK: - helpers

    private func createPod() throws -> (id: String, name: String) {
        try connect(["--gpu", "A40"])
        let pod = try XCTUnwrap(try listJSON().first)
        return (try XCTUnwrap(pod["id"] as? String), try XCTUnwrap(pod["name"] as? String))
    }

    private func tunnelPID() throws -> Int {
        let listed = try XCTUnwrap(try cli.json(["tunnel", "list"]) as? [[String: Any]])
        return try XCTUnwrap(listed.first?["pid"] as? Int)
    }

    private func listedPorts() throws -> [Int] {
        let listed = try XCTUnwrap(try cli.json(["tunnel", "list"]) as? [[String: Any]])
        let forwards = try XCTUnwrap(listed.first?["forwards"] as? [[String: Any]])
        return forwards.compactMap { $0["localPort"] as? Int }
    }

    static func get(_ port: Int, timeout: Int = 15) throws -> String { try TunnelEndToEndTests.httpGet(port, timeout: timeout) }
}
