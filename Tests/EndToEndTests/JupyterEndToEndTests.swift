import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// Jupyter one click away: connect gives the pod a JUPYTER_PASSWORD (kept 0600, never logged)
/// and prints the URL with it; `open` opens the forwarded port; `info` lists RunPod's HTTPS
/// proxy URL of each http port.
final class JupyterEndToEndTests: EndToEndCase {
    override func tearDownWithError() throws {
        _ = try? cli?.run(["tunnel", "stop", "all"], timeout: .seconds(30))
        try super.tearDownWithError()
    }

    func testConnectGivesThePodAPasswordAndPrintsTheURL() throws {
        let connected = try connect()
        let file = cli.home.appendingPathComponent("jupyter_password")
        let password = try String(contentsOf: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(password.count, 24)
        XCTAssertEqual(TemporaryDirectory.mode(of: file.path), 0o600)
        let pod = try XCTUnwrap(try listJSON().first)
        let id = try XCTUnwrap(pod["id"] as? String)
        XCTAssertTrue(connected.stdout.contains("https://\(id)-8888.proxy.runpod.net/?token=\(password)"), connected.stdout)

        let seen = try cli.run(["exec", id, "--", "printenv", "JUPYTER_PASSWORD"])
        XCTAssertEqual(seen.status, 0, "\(seen)")
        XCTAssertEqual(seen.stdout, password + "\n", "the pod has the password in its environment")
        XCTAssertFalse(cli.logText().contains(password), "the password never reaches the log")
        let json = try cli.run(["info", id, "--json"])
        XCTAssertFalse(json.stdout.contains(password), json.stdout)

        // A second pod gets the same password; the user's own wins where it is set.
        try connect(["--name", "second"])
        XCTAssertEqual(try cli.run(["exec", "second", "--", "printenv", "JUPYTER_PASSWORD"]).stdout, password + "\n")
        let own = try cli.run(["connect", "--no-shell", "--name", "third"], environment: ["JUPYTER_PASSWORD": "mine-123"])
        XCTAssertEqual(own.status, 0, "\(own)")
        XCTAssertEqual(try cli.run(["exec", "third", "--", "printenv", "JUPYTER_PASSWORD"]).stdout, "mine-123\n")
    }

    func testOpenUsesTheTunnelsPortAndPrintsWithoutAnOpener() throws {
        try connect()
        let pod = try XCTUnwrap(try listJSON().first)
        let id = try XCTUnwrap(pod["id"] as? String)
        let password = try String(contentsOf: cli.home.appendingPathComponent("jupyter_password"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)

        let printed = try cli.run(["open", id])
        XCTAssertEqual(printed.status, 0, "\(printed)")
        XCTAssertEqual(printed.stdout, "https://\(id)-8888.proxy.runpod.net/?token=\(password)\n", "no opener on PATH: the URL is printed")

        let port = try TunnelEndToEndTests.freePort()
        let tunnel = try cli.run(["tunnel", "--detach", id, "\(port):8888"], timeout: .seconds(60))
        XCTAssertEqual(tunnel.status, 0, "\(tunnel)")
        let scratch = TemporaryDirectory(prefix: "open-bin")
        let opened = scratch.file("opened")
        let opener = scratch.file("xdg-open")
        try Data("#!/bin/sh\nprintf '%s' \"$1\" > '\(opened.path)'\n".utf8).write(to: opener)
        chmod(opener.path, 0o755)
        let result = try cli.run(["open", id], environment: ["PATH": scratch.url.path + ":" + cli.environment["PATH"]!])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertEqual(try String(contentsOf: opened, encoding: .utf8), "http://localhost:\(port)/?token=\(password)")

        let other = try cli.run(["open", id, "7000"])
        XCTAssertEqual(other.status, 1, "\(other)")
        XCTAssertTrue(other.stderr.contains("autopod tunnel"), other.stderr)
    }

    func testInfoListsTheHTTPSProxyOfEachHTTPPort() throws {
        try connect()
        let id = try XCTUnwrap(try listJSON().first?["id"] as? String)
        let info = try cli.run(["info", id])
        XCTAssertEqual(info.status, 0, "\(info)")
        XCTAssertTrue(info.stdout.contains("https://\(id)-8888.proxy.runpod.net"), info.stdout)
        XCTAssertFalse(info.stdout.contains("-22.proxy"), "tcp ports have no HTTPS proxy: \(info.stdout)")
        let json = try XCTUnwrap(try cli.json(["info", id]) as? [String: Any])
        XCTAssertEqual(json["proxyURLs"] as? [String: String], ["8888": "https://\(id)-8888.proxy.runpod.net"], "\(json)")
    }
}
