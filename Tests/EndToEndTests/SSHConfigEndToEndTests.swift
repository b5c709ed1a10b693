import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `autopod ssh-config` and `autopod proxy` with the real OpenSSH client (the test runs `ssh`
/// and `rsync`; autopod itself never does) against runpod-sim pods: strict host-key checking
/// against autopod's pins, through a stop and start, a refused key swap, rsync, and the
/// `--write` file with its single Include line.
final class SSHConfigEndToEndTests: EndToEndCase {
    /// ssh NAME works with StrictHostKeyChecking yes; after stop + start (new port, new key) the
    /// same entry works without an edit; a key swapped without a restart is refused.
    func testEntryWorksStrictlyAcrossRestartAndRefusesASwap() throws {
        let pod = try createPod()
        let config = try generatedConfig()
        let text = try String(contentsOf: config, encoding: .utf8)
        XCTAssertTrue(text.contains("Host \(pod.name) \(pod.id)\n"), text)
        XCTAssertTrue(text.contains("StrictHostKeyChecking yes"), text)
        XCTAssertTrue(text.contains("HostKeyAlias autopod-\(pod.id)"), text)

        let first = try openSSH(config, [pod.name, "echo", "on-the-pod"])
        XCTAssertEqual(first.status, 0, "\(first)")
        XCTAssertEqual(first.stdout, "on-the-pod\n")
        XCTAssertEqual(try openSSH(config, [pod.id, "true"]).status, 0, "the id is an alias of the entry")
        let pins = try String(contentsOf: cli.home.appendingPathComponent("ssh_known_hosts"), encoding: .utf8)
        XCTAssertEqual(pins.split(separator: "\n").filter { $0.hasPrefix("autopod-\(pod.id) ") }.count, 1, pins)

        XCTAssertEqual(try cli.run(["stop", pod.name]).status, 0)
        XCTAssertEqual(try cli.run(["start", pod.name]).status, 0)
        let before = try Data(contentsOf: config)
        let again = try openSSH(config, [pod.name, "true"])
        XCTAssertEqual(again.status, 0, "after stop + start the same entry works: \(again)")
        XCTAssertEqual(try Data(contentsOf: config), before, "nothing was edited")
        let pinsAfter = try String(contentsOf: cli.home.appendingPathComponent("ssh_known_hosts"), encoding: .utf8)
        XCTAssertNotEqual(pinsAfter, pins, "the restarted pod's new key is OpenSSH's pin too")

        // A swap with no restart: OpenSSH itself refuses it (the proxy's cached endpoint means
        // autopod does not look at the key), and so does autopod when it does look.
        let reply = try sim.client.control("POST", "/_sim/pods/\(pod.id)/sshd", ["action": "rekey"])
        XCTAssertEqual(reply.status, 200, reply.text)
        let refusedByOpenSSH = try openSSH(config, [pod.name, "true"])
        XCTAssertNotEqual(refusedByOpenSSH.status, 0, "\(refusedByOpenSSH)")
        XCTAssertTrue(refusedByOpenSSH.stderr.contains("HOST IDENTIFICATION HAS CHANGED"), refusedByOpenSSH.stderr)
        try? FileManager.default.removeItem(at: cli.home.appendingPathComponent("proxy-endpoints"))
        let refusedByAutopod = try openSSH(config, [pod.name, "true"])
        XCTAssertNotEqual(refusedByAutopod.status, 0, "\(refusedByAutopod)")
        XCTAssertTrue(refusedByAutopod.stderr.contains("has changed"), refusedByAutopod.stderr)
        XCTAssertEqual(try String(contentsOf: cli.home.appendingPathComponent("ssh_known_hosts"), encoding: .utf8), pinsAfter, "the swapped key is pinned nowhere")
    }

    /// A restart done from another machine (another AUTOPOD_HOME): the proxy finds the new
    /// port, the API proves the restart, and OpenSSH accepts the new key.
    func testRestartFromAnotherHomeIsFollowed() throws {
        let pod = try createPod()
        let config = try generatedConfig()
        XCTAssertEqual(try openSSH(config, [pod.name, "true"]).status, 0)
        let laptop = CLIRunner(apiBaseURL: sim.baseURL, apiKey: SimulatorProcess.apiKey, environment: ["AUTOPOD_API": api])
        XCTAssertEqual(try laptop.run(["stop", pod.id]).status, 0)
        XCTAssertEqual(try laptop.run(["start", pod.id, "--no-wait"]).status, 0)
        let result = try openSSH(config, [pod.name, "true"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertTrue(result.stderr.contains("RunPod reports that the pod started again"), result.stderr)
    }

    /// `rsync -a` through the entry there and back leaves the tree as it was.
    func testRsyncRoundTripsATree() throws {
        let pod = try createPod()
        let config = try generatedConfig()
        let scratch = TemporaryDirectory(prefix: "ssh-config-rsync")
        let source = scratch.file("source")
        try FileManager.default.createDirectory(at: source.appendingPathComponent("deep/er"), withIntermediateDirectories: true)
        try Data("hello\n".utf8).write(to: source.appendingPathComponent("a.txt"))
        try Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: source.appendingPathComponent("deep/blob.bin"))
        try Data("with space".utf8).write(to: source.appendingPathComponent("deep/er/name with space"))
        let rsh = "/usr/bin/ssh -F \(config.path)"
        let up = try run(["/usr/bin/rsync", "-a", "-e", rsh, source.path + "/", "\(pod.name):/tmp/rsync-round-trip/"])
        XCTAssertEqual(up.status, 0, "\(up)")
        let back = scratch.file("back")
        let down = try run(["/usr/bin/rsync", "-a", "-e", rsh, "\(pod.name):/tmp/rsync-round-trip/", back.path + "/"])
        XCTAssertEqual(down.status, 0, "\(down)")
        let diff = try run(["/usr/bin/diff", "-r", source.path, back.path])
        XCTAssertEqual(diff.status, 0, "\(diff)")
    }

    /// `git push` to a bare repository on the pod through the entry, and a clone back.
    func testGitPushesToABareRepositoryOnThePod() throws {
        let pod = try createPod()
        let config = try generatedConfig()
        XCTAssertEqual(try openSSH(config, [pod.name, "git init -q --bare /tmp/repo.git"]).status, 0)
        let scratch = TemporaryDirectory(prefix: "ssh-config-git")
        let work = scratch.file("work").path
        let git = { (arguments: [String]) throws -> ProcessResult in
            try self.run(["/usr/bin/git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "core.sshCommand=/usr/bin/ssh -F \(config.path)"] + arguments)
        }
        XCTAssertEqual(try git(["init", "-q", "-b", "main", work]).status, 0)
        try Data("tracked\n".utf8).write(to: URL(fileURLWithPath: work + "/file.txt"))
        XCTAssertEqual(try git(["-C", work, "add", "file.txt"]).status, 0)
        XCTAssertEqual(try git(["-C", work, "commit", "-q", "-m", "first"]).status, 0)
        let pushed = try git(["-C", work, "push", "-q", "\(pod.name):/tmp/repo.git", "main"])
        XCTAssertEqual(pushed.status, 0, "\(pushed)")
        let clone = scratch.file("clone").path
        let cloned = try git(["clone", "-q", "-b", "main", "\(pod.name):/tmp/repo.git", clone])
        XCTAssertEqual(cloned.status, 0, "\(cloned)")
        XCTAssertEqual(try String(contentsOfFile: clone + "/file.txt", encoding: .utf8), "tracked\n")
    }

    /// --write twice: one Include line at the top of ~/.ssh/config, every other byte the user's;
    /// the entry works through the user's config; kill drops the pod from autopod's file.
    func testWriteTwiceKeepsOneIncludeAndTheUsersLines() throws {
        let pod = try createPod()
        let sshDirectory = cli.userHome.appendingPathComponent(".ssh")
        try FileManager.default.createDirectory(at: sshDirectory, withIntermediateDirectories: true)
        let userConfig = sshDirectory.appendingPathComponent("config")
        let original = "# mine\nHost work\n\tHostName 10.0.0.1\n  User me   \n\nHost *\n    ServerAliveInterval 60"
        try Data(original.utf8).write(to: userConfig)
        chmod(userConfig.path, 0o600)

        let asked = try cli.run(["ssh-config", "--write"])
        XCTAssertEqual(asked.status, 0, "\(asked)")
        XCTAssertEqual(try String(contentsOf: userConfig, encoding: .utf8), original, "without a terminal or --yes it is not touched")
        XCTAssertTrue(asked.stdout.contains("Include "), asked.stdout)

        for _ in 0..<2 {
            let written = try cli.run(["ssh-config", "--write", "--yes"])
            XCTAssertEqual(written.status, 0, "\(written)")
        }
        let text = try String(contentsOf: userConfig, encoding: .utf8)
        let includes = text.split(separator: "\n").filter { $0.hasPrefix("Include ") }
        XCTAssertEqual(includes, ["Include \(sshDirectory.path)/autopod.conf"], text)
        XCTAssertTrue(text.hasPrefix("# Added by autopod"), text)
        XCTAssertTrue(text.hasSuffix("\n\n" + original), "the user's lines follow byte for byte: \(text.debugDescription)")
        XCTAssertEqual(TemporaryDirectory.mode(of: userConfig.path), 0o600)

        let result = try openSSH(userConfig, [pod.name, "echo", "via-include"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertEqual(result.stdout, "via-include\n")

        XCTAssertEqual(try cli.run(["kill", pod.name, "--yes"]).status, 0)
        let kept = try String(contentsOf: sshDirectory.appendingPathComponent("autopod.conf"), encoding: .utf8)
        XCTAssertFalse(kept.contains(pod.id), "kill drops the terminated pod: \(kept)")
        XCTAssertFalse(try String(contentsOf: cli.home.appendingPathComponent("ssh_known_hosts"), encoding: .utf8).contains(pod.id))
    }

    /// In a terminal, --write asks before touching ~/.ssh/config, once: a "no" leaves the file
    /// alone and is remembered; --yes then adds the line.
    func testWriteAsksOnceInATerminal() throws {
        _ = try createPod()
        let userConfig = cli.userHome.appendingPathComponent(".ssh/config")
        try FileManager.default.createDirectory(at: userConfig.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("Host mine\n  User me\n".utf8).write(to: userConfig)

        let first = try cli.tmux(["ssh-config", "--write"])
        try first.waitFor("[Y/n]")
        try first.type("n")
        XCTAssertEqual(try first.waitForExit(), 0)
        XCTAssertEqual(try String(contentsOf: userConfig, encoding: .utf8), "Host mine\n  User me\n")

        let second = try cli.tmux(["ssh-config", "--write"])
        XCTAssertEqual(try second.waitForExit(), 0)
        let screen = try second.capture()
        XCTAssertFalse(screen.contains("[Y/n]"), "asked only once: \(screen)")
        XCTAssertTrue(screen.contains("Include "), screen)

        XCTAssertEqual(try cli.run(["ssh-config", "--write", "--yes"]).status, 0)
        XCTAssertTrue(try String(contentsOf: userConfig, encoding: .utf8).hasSuffix("\n\nHost mine\n  User me\n"))
    }

    /// A stopped pod: the proxy says how to start it; with --start it resumes the pod and waits.
    func testProxyStartsAStoppedPodOnlyWhenAsked() throws {
        let pod = try createPod()
        let config = try generatedConfig()
        XCTAssertEqual(try cli.run(["stop", pod.name]).status, 0)
        let refused = try openSSH(config, [pod.name, "true"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--start"), refused.stderr)

        let text = try String(contentsOf: config, encoding: .utf8).replacing(" proxy %n", with: " proxy --start %n")
        try Data(text.utf8).write(to: config)
        let started = try openSSH(config, [pod.name, "echo", "resumed"])
        XCTAssertEqual(started.status, 0, "\(started)")
        XCTAssertEqual(started.stdout, "resumed\n")
        XCTAssertTrue(started.stderr.contains("starting \(pod.name)"), started.stderr)
        XCTAssertEqual(try sim.client.simPod(pod.id)["desiredStatus"] as? String, "RUNNING")
    }

    // MARK: - helpers

    private func createPod() throws -> (id: String, name: String) {
        try connect()
        let pod = try XCTUnwrap(try listJSON().first)
        return (try XCTUnwrap(pod["id"] as? String), try XCTUnwrap(pod["name"] as? String))
    }

    /// `autopod ssh-config` printed into a file, as a user would save it.
    private func generatedConfig() throws -> URL {
        let result = try cli.run(["ssh-config"])
        XCTAssertEqual(result.status, 0, "\(result)")
        let file = cli.userHome.appendingPathComponent("generated-ssh-config")
        try Data(result.stdout.utf8).write(to: file)
        return file
    }

    /// The real OpenSSH client with `config` only (never the user's), no prompts.
    private func openSSH(_ config: URL, _ arguments: [String]) throws -> ProcessResult {
        try run(["/usr/bin/ssh", "-F", config.path, "-o", "BatchMode=yes", "-o", "ConnectTimeout=60"] + arguments)
    }

    private func run(_ command: [String]) throws -> ProcessResult {
        var environment = cli.environment
        environment["PATH"] = "/usr/bin:/bin"
        return try ChildProcess.run(command, environment: environment, timeout: .seconds(120))
    }
}
