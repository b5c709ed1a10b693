import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// A test against a fresh simulator, with autopod configured in its own home.
///
/// Every test runs on both of RunPod's APIs: on the one `AUTOPOD_E2E_API` names (`graphql` or
/// `rest`), or, when it names none, on GraphQL and then again on REST v2, in a child run of
/// this test binary with `AUTOPOD_E2E_API=rest` (XCTest on Linux does not run a subclass's
/// inherited tests, and a test cannot be invoked twice in one process). A failure on REST v2
/// fails the test with the child's output. `AUTOPOD_E2E_API=rest swift test --filter
/// EndToEndTests` runs the REST v2 half alone.
class EndToEndCase: XCTestCase {
    var sim: SimulatorProcess!
    var cli: CLIRunner!
    /// Seconds from create to `runtime`; tests that need a slow pod override it.
    var bootDelay: Double { 1 }
    /// Classes whose tests are about one API's behaviour say so here and are not rerun.
    class var runsOnEveryAPI: Bool { true }
    /// Classes whose tests start tunnels say so here: after each test every tunnel of the home is
    /// stopped through its state file (a detached tunnel is not the test's child).
    class var stopsTunnelsAfterEachTest: Bool { false }
    /// autopod processes a test started and did not wait for (a foreground tunnel); whatever
    /// still runs is ended after the test.
    var backgroundProcesses: [RunningProcess] = []

    /// The API autopod speaks in this run (`AUTOPOD_API` of every command).
    static var api: String { ProcessInfo.processInfo.environment["AUTOPOD_E2E_API"] ?? "graphql" }
    var api: String { Self.api }
    var onREST: Bool { api == "rest" }

    override func setUpWithError() throws {
        sim = try SimulatorProcess(bootDelay: bootDelay)
        cli = CLIRunner(apiBaseURL: sim.baseURL, apiKey: SimulatorProcess.apiKey)
        cli.environment["AUTOPOD_API"] = api
        try writeConfig()
    }

    override func tearDownWithError() throws {
        for process in backgroundProcesses where process.isRunning {
            process.terminate()
            _ = process.wait(timeout: .seconds(15))
        }
        backgroundProcesses = []
        if Self.stopsTunnelsAfterEachTest { _ = try? cli?.run(["tunnel", "stop", "all"], timeout: .seconds(30)) }
        sim?.stop()
        sim = nil
        try rerunOnREST()
    }

    /// Runs this test again in a child process on REST v2, unless this run chose its API.
    func rerunOnREST() throws {
        guard ProcessInfo.processInfo.environment["AUTOPOD_E2E_API"] == nil, Self.runsOnEveryAPI else { return }
        let method = name.split(whereSeparator: { $0 == "." || $0 == " " || $0 == "[" || $0 == "]" }).last.map(String.init) ?? name
        let test = "\(String(reflecting: type(of: self)))/\(method)"
        let started = Date()
        let result = try ChildProcess.run(
            [CommandLine.arguments[0], test], environment: ProcessInfo.processInfo.environment.merging(["AUTOPOD_E2E_API": "rest"]) { $1 },
            timeout: .seconds(900))
        let output = result.stdout + result.stderr
        if result.status != 0 || !output.contains("Executed 1 test") {
            let failures = output.split(separator: "\n").filter { $0.contains("error:") || $0.contains("failed") }
            XCTFail("\(test) failed on REST v2 (AUTOPOD_E2E_API=rest):\n\(failures.suffix(30).joined(separator: "\n"))\n--- its output ends:\n\(output.suffix(4000))")
        } else {
            print("\(test) passed on REST v2 too (\(String(format: "%.1f", Date().timeIntervalSince(started))) s)")
        }
    }

    /// The operations tests arm faults on, named as each API names them (GraphQL's mutation, REST
    /// v2's operationId in RunPod's OpenAPI document).
    enum Operation {
        case create, stop, resume, terminate

        func name(on api: String) -> String {
            switch (self, api == "rest") {
            case (.create, false): return "podFindAndDeployOnDemand"
            case (.create, true): return "createPod"
            case (.stop, false): return "podStop"
            case (.resume, false): return "podResume"
            case (.stop, true), (.resume, true): return "podAction"
            case (.terminate, false): return "podTerminate"
            case (.terminate, true): return "deletePod"
            }
        }
    }

    /// Arms `rule` on `operation` of the API in use.
    func addFault(on operation: Operation, _ rule: [String: Any]) throws {
        try sim.addFault(rule.merging(["operation": operation.name(on: api), "api": onREST ? "rest" : "graphql"]) { $1 })
    }

    /// How each API answers "no machine": GraphQL with 200 and an `errors` entry, REST v2 with
    /// 400 and the same words as `detail`.
    var capacityStatus: Int { onREST ? 400 : 200 }

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
