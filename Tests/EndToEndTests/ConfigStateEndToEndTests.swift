import Foundation
import TestSupport
import XCTest

/// Issue 17 items 1-6 as a user meets them, with the built binary against runpod-sim and the
/// wizard in a real terminal: what is saved is kept, every value is checked where it is given,
/// a broken config is repaired rather than refused, a new SSH key does not lock out running
/// pods, and a pods.json from a newer autopod is only read.
final class ConfigStateEndToEndTests: EndToEndCase {
    var configFile: URL { cli.home.appendingPathComponent("config.json") }

    func savedConfig() throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: configFile)) as? [String: Any])
    }

    /// The wizard in a terminal, with the key taken from the file rather than the environment
    /// unless `keyFromEnvironment`.
    func wizard(_ arguments: [String], keyFromEnvironment: Bool = false) throws -> TmuxSession {
        let saved = cli.environment
        defer { cli.environment = saved }
        if !keyFromEnvironment { cli.environment["RUNPOD_API_KEY"] = nil }
        return try cli.tmux(["config", "init"] + arguments)
    }

    /// Presses Enter at each prompt in turn, waiting for it first.
    func enter(through prompts: [String], in terminal: TmuxSession) throws {
        for prompt in prompts {
            try terminal.waitFor(prompt)
            try terminal.type("")
        }
    }

    /// The guard's questions (issue 13), asked after the pod's.
    static let guardPrompts = ["Stop a pod idle for", "Stop a pod this long after each start", "Stop a pod once it has cost", "At a limit: stop"]
    static let defaultsPrompts =
        ["GPU types", "GPUs per pod", "Cloud", "Data centre", "Image", "Container disk GB", "Volume GB", "Ports to forward"] + guardPrompts

    /// Waits until `text` is on the screen `count` times.
    @discardableResult
    func waitFor(_ text: String, count: Int, in terminal: TmuxSession) throws -> String {
        var screen = ""
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            screen = try terminal.capture()
            if screen.components(separatedBy: text).count - 1 >= count { return screen }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("\(text) did not appear \(count) times:\n\(screen)")
        return screen
    }

    // MARK: 1. Enter keeps what is saved

    func testEnterKeepsTheSavedKeyAfterARefusedOne() throws {
        try writeConfig(extra: ["apiKey": SimulatorProcess.apiKey])
        let terminal = try wizard([])
        try terminal.waitFor("RunPod API key [")
        try terminal.type("rpa_WRONGWRONGWRONG1234")
        try terminal.waitFor("RunPod refused this key")
        try terminal.waitFor("Enter keeps the saved key")
        try terminal.type("")
        try terminal.waitFor("kept the saved key")
        try terminal.waitFor("SSH key:")
        try terminal.type("")
        try terminal.waitFor("SSH keys?")
        try terminal.type("n")
        try enter(through: Self.defaultsPrompts, in: terminal)
        XCTAssertEqual(try terminal.waitForExit(), 0, (try? terminal.capture()) ?? "")
        let config = try savedConfig()
        XCTAssertEqual(config["apiKey"] as? String, SimulatorProcess.apiKey, "Enter after a refused key keeps the saved key")
        XCTAssertFalse(try terminal.capture().contains("rpa_WRONGWRONGWRONG1234"))
    }

    // MARK: 2. A refused key given as a flag is an error

    func testARefusedKeyFlagExitsOneAndLeavesTheFile() throws {
        try writeConfig(extra: ["apiKey": SimulatorProcess.apiKey])
        let before = try Data(contentsOf: configFile)
        var environment = cli.environment
        environment["RUNPOD_API_KEY"] = nil
        cli.environment = environment
        let result = try cli.run(["config", "init", "--non-interactive", "--api-key", "rpa_BADBADBADBAD0000", "--gpu-count", "2"])
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stdout.contains("RunPod refused this key"), "\(result)")
        XCTAssertFalse(result.stdout.contains("Saved"), "\(result)")
        XCTAssertEqual(try Data(contentsOf: configFile), before, "the file must be left as it was")
        XCTAssertFalse((result.stdout + result.stderr).contains("rpa_BADBADBADBAD0000"))
    }

    // MARK: 3. Every value checked where it is given

    func testBadFlagValuesExitTwoWithTheReasonAndLeaveTheFile() throws {
        let before = try Data(contentsOf: configFile)
        let notAKey = cli.home.appendingPathComponent("notes.txt")
        try Data("just some text\n".utf8).write(to: notAKey)
        let cases: [([String], [String])] = [
            (["--gpu", "nosuch"], ["--gpu", "no GPU type is called \"nosuch\""]),
            (["--gpu", "h100"], ["--gpu", "could mean several GPU types", "H100 SXM", "H100 PCIe"]),
            (["--region", "moon"], ["--region", "no data centre is called \"moon\"", "EU-RO-1"]),
            (["--ssh-key", "/nonexistent/key"], ["--ssh-key", "/nonexistent/key does not exist"]),
            (["--ssh-key", notAKey.path], ["--ssh-key", "is not an OpenSSH or PEM private key"]),
        ]
        for (flags, expected) in cases {
            let result = try cli.run(["config", "init", "--non-interactive"] + flags)
            XCTAssertEqual(result.status, 2, "\(flags): \(result)")
            for text in expected { XCTAssertTrue(result.stderr.contains(text), "\(flags) should say \(text): \(result)") }
            XCTAssertEqual(try Data(contentsOf: configFile), before, "\(flags) must leave the file")
        }
        // Names RunPod knows are saved as its ids; a region in any case as RunPod spells it.
        let good = try cli.run(["config", "init", "--non-interactive", "--gpu", "a40,4090", "--region", "eu-ro-1"])
        XCTAssertEqual(good.status, 0, "\(good)")
        let config = try savedConfig()
        XCTAssertEqual(config["gpuTypes"] as? [String], ["NVIDIA A40", "NVIDIA GeForce RTX 4090"])
        XCTAssertEqual(config["dataCenterId"] as? String, "EU-RO-1")
    }

    func testWithoutTheAPINamesAreSavedWithAWarning() throws {
        let closed = try FreePort.allocate()
        let result = try cli.run(
            ["config", "init", "--non-interactive", "--gpu", "nosuch"],
            environment: ["RUNPOD_API_BASE_URL": "http://127.0.0.1:\(closed)"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stdout.contains("--gpu names not checked"), "\(result)")
        XCTAssertEqual(try savedConfig()["gpuTypes"] as? [String], ["nosuch"])
    }

    func testTheWizardReasksForAnswersItCannotUse() throws {
        try writeConfig(extra: ["apiKey": SimulatorProcess.apiKey])
        let terminal = try wizard([])
        try enter(through: ["RunPod API key [", "SSH key:"], in: terminal)
        try terminal.waitFor("SSH keys? [Y/n]")
        try terminal.type("maybe")
        try terminal.waitFor("Please answer y or n.")
        try terminal.type("n")
        try terminal.waitFor("GPU types, in order of preference")
        try terminal.type("n")
        try terminal.waitFor("no GPU type is called \"n\"")
        try terminal.type("h100")
        try terminal.waitFor("could mean several GPU types")
        try terminal.type("a6000")
        try terminal.waitFor("GPUs per pod [1]")
        try terminal.type("moon")
        try terminal.waitFor("\"moon\" is not a whole number; try again.")
        try terminal.type("2")
        try terminal.waitFor("Cloud (")
        try terminal.type("a40")
        try terminal.waitFor("\"a40\" is not SECURE, COMMUNITY or ALL")
        try terminal.type("community")
        try terminal.waitFor("Data centre")
        try terminal.type("moon")
        try terminal.waitFor("no data centre is called \"moon\"")
        try terminal.type("CA-MTL-1")
        try enter(through: ["Image", "Container disk GB", "Volume GB"], in: terminal)
        try terminal.waitFor("Ports to forward")
        try terminal.type("abc")
        try terminal.waitFor("give ports separated by commas")
        try terminal.type("8888,6006")
        try enter(through: Self.guardPrompts, in: terminal)
        XCTAssertEqual(try terminal.waitForExit(), 0, (try? terminal.capture()) ?? "")
        let config = try savedConfig()
        XCTAssertEqual(config["gpuTypes"] as? [String], ["NVIDIA RTX A6000"])
        XCTAssertEqual(config["gpuCount"] as? Int, 2)
        XCTAssertEqual(config["cloudType"] as? String, "COMMUNITY")
        XCTAssertEqual(config["dataCenterId"] as? String, "CA-MTL-1")
        XCTAssertEqual(config["forwards"] as? [Int], [8888, 6006])
    }

    // MARK: 4. A config with bad values is repaired, not refused

    func testInitRepairsJustTheBadFieldsAndKeepsTheRest() throws {
        try writeConfig(extra: ["apiKey": SimulatorProcess.apiKey, "gpuCount": "two", "image": "my/image:1", "volumeGB": 77])
        let before = try Data(contentsOf: configFile)
        // Every other command still reports the file.
        let list = try cli.run(["list"])
        XCTAssertEqual(list.status, 1)
        XCTAssertTrue(list.stderr.contains("gpuCount"), "\(list)")
        // A bad flag is blamed on the flag, not the file.
        let zero = try cli.run(["config", "init", "--non-interactive", "--gpu-count", "0"])
        XCTAssertEqual(zero.status, 2, "\(zero)")
        XCTAssertTrue(zero.stderr.contains("--gpu-count"), "\(zero)")
        XCTAssertFalse(zero.stderr.contains("config.json"), "\(zero)")
        // Without a terminal and without a flag for it, the file is reported and left.
        let silent = try cli.run(["config", "init", "--non-interactive", "--image", "other/image:2"])
        XCTAssertEqual(silent.status, 1, "\(silent)")
        XCTAssertTrue(silent.stdout.contains("gpuCount: must be a whole number"), "\(silent)")
        XCTAssertEqual(try Data(contentsOf: configFile), before)

        let terminal = try wizard([])
        try terminal.waitFor("gpuCount: must be a whole number")
        try terminal.waitFor("GPUs per pod [1]")
        try terminal.type("2")
        XCTAssertEqual(try terminal.waitForExit(), 0, (try? terminal.capture()) ?? "")
        let screen = try terminal.capture()
        XCTAssertFalse(screen.contains("GPU types, in order"), "only the bad field is asked for:\n\(screen)")
        let config = try savedConfig()
        XCTAssertEqual(config["gpuCount"] as? Int, 2)
        XCTAssertEqual(config["image"] as? String, "my/image:1")
        XCTAssertEqual(config["volumeGB"] as? Int, 77)
        XCTAssertEqual(config["apiKey"] as? String, SimulatorProcess.apiKey)
        XCTAssertEqual(try cli.run(["list"]).status, 0)
    }

    func testAFlagRepairsTheFieldItNames() throws {
        try writeConfig(extra: ["gpuCount": "two", "image": "my/image:1"])
        let result = try cli.run(["config", "init", "--non-interactive", "--gpu-count", "3"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let config = try savedConfig()
        XCTAssertEqual(config["gpuCount"] as? Int, 3)
        XCTAssertEqual(config["image"] as? String, "my/image:1")
    }

    // MARK: 5. A new SSH key does not lock out running pods

    func testANewKeyKeepsTheOldOneForRunningPodsAndCanBeAddedToThem() throws {
        // The simulator's pods have their own home: the test runner's own authorized_keys must
        // not change whatever happens.
        let ownKeys = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".ssh/authorized_keys").path
        let ownKeysBefore = FileManager.default.contents(atPath: ownKeys)
        defer { XCTAssertEqual(FileManager.default.contents(atPath: ownKeys), ownKeysBefore, "\(ownKeys) must not change") }
        try connect(["--name", "keypod"])
        let oldKey = cli.home.appendingPathComponent("id_test").path
        let userSSH = cli.userHome.appendingPathComponent(".ssh")

        // From a script: the new key is made, the old one stays an extra identity, with a warning.
        let rotated = try cli.run(["config", "init", "--non-interactive", "--create-ssh-key"])
        XCTAssertEqual(rotated.status, 0, "\(rotated)")
        XCTAssertTrue(rotated.stdout.contains("running pods do not know the new key yet: keypod (autopod logs in to them with \(oldKey))"), "\(rotated)")
        var config = try savedConfig()
        let firstNew = userSSH.appendingPathComponent("id_ed25519").path
        XCTAssertEqual(config["sshKeyPath"] as? String, firstNew)
        XCTAssertEqual(config["extraSSHKeyPaths"] as? [String], [oldKey])
        XCTAssertEqual(TemporaryDirectory.mode(of: configFile.path), 0o600)
        let exec = try cli.run(["exec", "keypod", "--", "echo", "still-in"])
        XCTAssertEqual(exec.status, 0, "the old key still reaches the pod: \(exec)")
        XCTAssertEqual(exec.stdout, "still-in\n")

        // In a terminal: a second new key, added to the running pod over the keys it knows.
        let terminal = try wizard(["--create-ssh-key"], keyFromEnvironment: true)
        try terminal.waitFor("RunPod API key")
        try terminal.type("")
        try terminal.waitFor("SSH keys?")
        try terminal.type("n")
        try enter(through: Self.defaultsPrompts, in: terminal)
        try terminal.waitFor("Add the new key to it (~/.ssh/authorized_keys)?")
        try terminal.type("y")
        try terminal.waitFor("keypod accepts")
        XCTAssertEqual(try terminal.waitForExit(), 0, (try? terminal.capture()) ?? "")
        config = try savedConfig()
        let secondNew = userSSH.appendingPathComponent("autopod_ed25519").path
        XCTAssertEqual(config["sshKeyPath"] as? String, secondNew)
        XCTAssertEqual(config["extraSSHKeyPaths"] as? [String], [firstNew, oldKey])

        // With the earlier keys gone, the pod takes the new one alone.
        let aside = cli.home.appendingPathComponent("aside")
        try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: true)
        for path in [oldKey, firstNew] {
            try FileManager.default.moveItem(atPath: path, toPath: aside.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path)
        }
        let alone = try cli.run(["exec", "keypod", "--", "echo", "new-key"])
        XCTAssertEqual(alone.status, 0, "\(alone)")

        // -i: a key given for one command is offered first.
        try FileManager.default.moveItem(atPath: secondNew, toPath: aside.appendingPathComponent("autopod_ed25519").path)
        let locked = try cli.run(["exec", "keypod", "--", "true"])
        XCTAssertNotEqual(locked.status, 0, "no configured key is left: \(locked)")
        let given = try cli.run(["exec", "-i", aside.appendingPathComponent("id_test").path, "keypod", "--", "echo", "by-i"])
        XCTAssertEqual(given.status, 0, "\(given)")
        XCTAssertEqual(given.stdout, "by-i\n")
        // A detached tunnel logs in again by itself: it gets the -i key too.
        let port = try FreePort.allocate()
        let tunnel = try cli.run(["tunnel", "--detach", "-i", aside.appendingPathComponent("id_test").path, "keypod", "\(port):8888"], timeout: .seconds(60))
        XCTAssertEqual(tunnel.status, 0, "\(tunnel)")
        try eventually("the background tunnel is up", timeout: 30) {
            let listed = try cli.json(["tunnel", "list"]) as? [[String: Any]] ?? []
            return listed.first?["state"] as? String == "up"
        }
        XCTAssertEqual(try cli.run(["tunnel", "stop", "keypod"], timeout: .seconds(60)).status, 0)
        let missing = try cli.run(["shell", "-i", "/nonexistent/key", "keypod"])
        XCTAssertEqual(missing.status, 2, "\(missing)")
        XCTAssertTrue(missing.stderr.contains("-i: /nonexistent/key does not exist"), "\(missing)")
    }

    // MARK: 6. A pods.json from a newer autopod is only read; unknown fields are kept

    func testANewerPodsFileIsReadOnlyAndUnknownFieldsAreKept() throws {
        try connect(["--name", "statepod"])
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: podsFile)) as? [String: Any])
        document["version"] = 99
        document["futureSetting"] = ["kept": true]
        var pods = try XCTUnwrap(document["pods"] as? [[String: Any]])
        pods[0]["futurePodField"] = "also kept"
        document["pods"] = pods
        let newer = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
        try newer.write(to: podsFile)

        let list = try cli.run(["list"])
        XCTAssertEqual(list.status, 0, "reading still works: \(list)")
        XCTAssertTrue(list.stdout.contains("statepod"), "\(list)")
        let stop = try cli.run(["stop", "statepod"])
        XCTAssertEqual(stop.status, 1, "\(stop)")
        XCTAssertTrue(stop.stderr.contains("written by a newer autopod (file version 99"), "\(stop)")
        XCTAssertTrue(stop.stderr.contains("Upgrade autopod"), "\(stop)")
        let live = try sim.livePods().count
        let create = try cli.run(["connect", "--no-shell", "--name", "another"])
        XCTAssertEqual(create.status, 1, "\(create)")
        XCTAssertEqual(try sim.livePods().count, live, "nothing is created that could not be recorded")
        XCTAssertEqual(try Data(contentsOf: podsFile), newer, "a newer file is never written")

        document["version"] = 1
        try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]).write(to: podsFile)
        let stopNow = try cli.run(["stop", "statepod"])
        XCTAssertEqual(stopNow.status, 0, "\(stopNow)")
        let after = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: podsFile)) as? [String: Any])
        XCTAssertEqual(after["futureSetting"] as? [String: Bool], ["kept": true])
        XCTAssertEqual((after["pods"] as? [[String: Any]])?.first?["futurePodField"] as? String, "also kept")
        XCTAssertEqual((after["pods"] as? [[String: Any]])?.first?["lastStatus"] as? String, "EXITED")
        XCTAssertEqual(TemporaryDirectory.mode(of: podsFile.path), 0o600)
    }
}
