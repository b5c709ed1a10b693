import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// A test against a fresh simulator, with autopod configured in its own home.
class EndToEndCase: XCTestCase {
    var sim: SimulatorProcess!
    var cli: CLIRunner!
    /// Seconds from create to `runtime`; tests that need a slow pod override it.
    var bootDelay: Double { 1 }

    override func setUpWithError() throws {
        sim = try SimulatorProcess(bootDelay: bootDelay)
        cli = CLIRunner(apiBaseURL: sim.baseURL, apiKey: SimulatorProcess.apiKey)
        try writeConfig()
    }

    override func tearDownWithError() throws {
        sim?.stop()
        sim = nil
    }

    /// A config with a real ed25519 key pair: connect logs in to the pod before it says ready.
    func writeConfig(extra: [String: Any] = [:]) throws {
        try FileManager.default.createDirectory(at: cli.home, withIntermediateDirectories: true)
        let key = cli.home.appendingPathComponent("id_test")
        if !FileManager.default.fileExists(atPath: key.path) {
            let made = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "e2e@test", "-f", key.path])
            XCTAssertEqual(made.status, 0, "\(made)")
        }
        var config: [String: Any] = ["sshKeyPath": key.path]
        config.merge(extra) { $1 }
        try JSONSerialization.data(withJSONObject: config).write(to: cli.home.appendingPathComponent("config.json"))
    }

    var podsFile: URL { cli.home.appendingPathComponent("pods.json") }

    /// `autopod list --json` (with `--all` when asked), as dictionaries.
    func listJSON(all: Bool = false) throws -> [[String: Any]] {
        let value = try cli.json(["list"] + (all ? ["--all"] : []))
        return try XCTUnwrap(value as? [[String: Any]])
    }

    /// Runs `connect --no-shell` and insists it worked.
    @discardableResult
    func connect(_ extra: [String] = [], file: StaticString = #filePath, line: UInt = #line) throws -> ProcessResult {
        let result = try cli.run(["connect", "--no-shell"] + extra)
        XCTAssertEqual(result.status, 0, "\(result)", file: file, line: line)
        return result
    }

    /// Waits (polling) until `condition` holds, failing after `timeout`.
    func eventually(_ what: String, timeout: TimeInterval = 30, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("timed out waiting for \(what)")
    }

    static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}
