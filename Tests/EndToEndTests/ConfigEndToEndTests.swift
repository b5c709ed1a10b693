import Foundation
import TestSupport
import XCTest

/// `autopod config` as a built binary: init with flags and as a wizard in a real terminal, show,
/// path, a broken file reported and left intact, and the API key kept off the screen and out
/// of the log.
final class ConfigEndToEndTests: XCTestCase {
    func testNonInteractiveInitWritesAValidConfig() throws {
        let api = try ScriptedHTTPServer(replies: [.init(status: 200, body: #"{"data":{"myself":{"id":"user-1"}}}"#)])
        let cli = CLIRunner(environment: ["RUNPOD_API_BASE_URL": api.url])
        let result = try cli.run([
            "config", "init", "--non-interactive", "--api-key", "rpa_TESTKEY0123456789ABCDEF", "--gpu", "NVIDIA GeForce RTX 4090,NVIDIA L40S",
            "--cloud", "community", "--region", "EU-RO-1", "--volume", "100", "--container-disk", "30", "--forward", "8888,6006",
            "--create-ssh-key",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("key accepted by RunPod (account user-1)"), result.stdout)
        XCTAssertEqual(api.received.first?.headers["authorization"], "Bearer rpa_TESTKEY0123456789ABCDEF")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: cli.home.appendingPathComponent("config.json"))) as! [String: Any]
        XCTAssertEqual(config["gpuTypes"] as? [String], ["NVIDIA GeForce RTX 4090", "NVIDIA L40S"])
        XCTAssertEqual(config["cloudType"] as? String, "COMMUNITY")
        XCTAssertEqual(config["dataCenterId"] as? String, "EU-RO-1")
        XCTAssertEqual(config["volumeGB"] as? Int, 100)
        XCTAssertEqual(config["forwards"] as? [Int], [8888, 6006])
        let keyPath = try XCTUnwrap(config["sshKeyPath"] as? String)
        XCTAssertEqual(keyPath, cli.userHome.appendingPathComponent(".ssh/id_ed25519").path)
        XCTAssertEqual(TemporaryDirectory.mode(of: keyPath), 0o600)
        XCTAssertEqual(TemporaryDirectory.mode(of: cli.home.appendingPathComponent("config.json").path), 0o600)
        XCTAssertEqual(TemporaryDirectory.mode(of: cli.home.path), 0o700)

        let shown = try cli.run(["config", "show"])
        XCTAssertEqual(shown.status, 0)
        XCTAssertTrue(shown.stdout.contains("••••CDEF"), shown.stdout)
        XCTAssertFalse(shown.stdout.contains("rpa_TESTKEY0123456789ABCDEF"))
        let json = try cli.run(["config", "show", "--json"])
        XCTAssertFalse(json.stdout.contains("rpa_TESTKEY0123456789ABCDEF"))
        XCTAssertTrue(json.stdout.contains(#""apiKey" : "••••CDEF""#), json.stdout)
        XCTAssertEqual(try cli.run(["config", "path"]).stdout, cli.home.appendingPathComponent("config.json").path + "\n")
    }

    func testARefusedKeyFailsAndNeverAppearsInOutputOrLog() throws {
        let api = try ScriptedHTTPServer(replies: [.init(status: 401, body: "Unauthorized")])
        let secret = "rpa_SECRETSECRETSECRET000111"
        let cli = CLIRunner(environment: ["RUNPOD_API_BASE_URL": api.url])
        let result = try cli.run(["config", "init", "-v", "--non-interactive", "--api-key", secret])
        XCTAssertTrue(result.stdout.contains("RunPod refused this key"), result.stdout)
        let everything = result.stdout + result.stderr + cli.logText()
        XCTAssertFalse(everything.contains(secret), everything)
        XCTAssertFalse(cli.logText().isEmpty, "the log should have the request")
    }

    func testAKeyFromTheEnvironmentNeverReachesTheScreenOrLog() throws {
        let secret = "rpa_ENVSECRET99999999999999"
        let cli = CLIRunner(environment: ["RUNPOD_API_KEY": secret])
        let result = try cli.run(["config", "show", "-v"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("(from RUNPOD_API_KEY)"))
        XCTAssertFalse((result.stdout + result.stderr + cli.logText()).contains(secret))
    }

    func testABrokenConfigIsReportedAndLeftIntact() throws {
        let cli = CLIRunner()
        try FileManager.default.createDirectory(at: cli.home, withIntermediateDirectories: true)
        let path = cli.home.appendingPathComponent("config.json")
        let broken = Data("{\"gpuCount\": 1,\n \"cloudType\": \"MOON\",\n \"volumeGB\": -5}\n".utf8)
        try broken.write(to: path)
        let show = try cli.run(["config", "show"])
        XCTAssertEqual(show.status, 1)
        XCTAssertTrue(show.stderr.contains(path.path), show.stderr)
        XCTAssertTrue(show.stderr.contains("cloudType"), show.stderr)
        XCTAssertTrue(show.stderr.contains("volumeGB"), show.stderr)
        let initAgain = try cli.run(["config", "init", "--non-interactive", "--gpu", "A40"])
        XCTAssertEqual(initAgain.status, 1)
        XCTAssertEqual(try Data(contentsOf: path), broken, "a broken file must not be overwritten")
    }

    /// The wizard in a real terminal: the key is typed without echo, answers are taken.
    func testWizardInATerminal() throws {
        let api = try ScriptedHTTPServer(replies: [
            .init(status: 200, body: #"{"data":{"myself":{"id":"user-7"}}}"#),
            // Read once to offer, once more right before the update (RunPod replaces the whole list).
            .init(status: 200, body: #"{"data":{"myself":{"id":"user-7","pubKey":"ssh-ed25519 AAAAexisting other@laptop"}}}"#),
            .init(status: 200, body: #"{"data":{"myself":{"id":"user-7","pubKey":"ssh-ed25519 AAAAexisting other@laptop"}}}"#),
            .init(status: 200, body: #"{"data":{"updateUserSettings":{"id":"user-7"}}}"#),
        ])
        // The server speaks GraphQL only (a script of its replies).
        let cli = CLIRunner(environment: ["RUNPOD_API_BASE_URL": api.url, "AUTOPOD_API": "graphql"])
        let secret = "rpa_TYPEDKEY55555555555555"
        let terminal = try cli.tmux(["config", "init"])
        try terminal.waitFor("RunPod API key")
        try terminal.type(secret)
        try terminal.waitFor("key accepted by RunPod (account user-7)")
        try terminal.waitFor("No ed25519 or ECDSA key found. Create one now?")
        try terminal.type("y")
        try terminal.waitFor("to your RunPod account's SSH keys?")
        try terminal.type("")
        try terminal.waitFor("added to your RunPod account")
        try terminal.waitFor("GPU types, in order of preference [NVIDIA A40, NVIDIA RTX A6000, NVIDIA RTX A5000]")
        try terminal.type("NVIDIA GeForce RTX 4090, NVIDIA A40")
        try terminal.waitFor("GPUs per pod [1]")
        try terminal.type("2")
        for prompt in ["Cloud", "Data centre", "Image", "Container disk GB", "Volume GB"] {
            try terminal.waitFor(prompt)
            try terminal.type("")
        }
        try terminal.waitFor("Ports to forward to localhost [8888]")
        try terminal.type("8888,6006")
        // The guard's questions (issue 13): the defaults.
        for prompt in ["Stop a pod idle for", "Stop a pod this long after each start", "Stop a pod once it has cost", "At a limit: stop"] {
            try terminal.waitFor(prompt)
            try terminal.type("")
        }
        XCTAssertEqual(try terminal.waitForExit(), 0)
        let screen = try terminal.capture()
        XCTAssertFalse(screen.contains(secret), "the key must not be echoed:\n\(screen)")
        XCTAssertTrue(screen.contains("Saved "))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: cli.home.appendingPathComponent("config.json"))) as! [String: Any]
        XCTAssertEqual(config["apiKey"] as? String, secret)
        XCTAssertEqual(config["gpuTypes"] as? [String], ["NVIDIA GeForce RTX 4090", "NVIDIA A40"])
        XCTAssertEqual(config["gpuCount"] as? Int, 2)
        XCTAssertEqual(config["forwards"] as? [Int], [8888, 6006])
        let keyPath = try XCTUnwrap(config["sshKeyPath"] as? String)
        XCTAssertFalse(cli.logText().contains(secret))
        // The account keeps its old key and gains the new one (RunPod replaces the whole list).
        // The GPU names are checked after it (this scripted API cannot list GPUs: not checked).
        let update = try XCTUnwrap(api.received.last { $0.body.contains("updateUserSettings") })
        XCTAssertTrue(update.body.contains("updateUserSettings"), update.body)
        let request = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(update.body.utf8)) as? [String: Any])
        let input = (request["variables"] as? [String: Any])?["input"] as? [String: Any]
        let keys = try XCTUnwrap(input?["pubKey"] as? String)
        let publicKey = try String(contentsOfFile: keyPath + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(keys, "ssh-ed25519 AAAAexisting other@laptop\n\n" + publicKey)
    }
}
