import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `autopod tunnel` as a built binary against runpod-sim: forwards reach the pod's responder on
/// 8888 and survive sshd restarts, a network cut, and a stop and start of the pod; fatal cases
/// (changed host key, terminated pod, port in use) end it with a clear message.
final class TunnelEndToEndTests: EndToEndCase {
    override class var stopsTunnelsAfterEachTest: Bool { true }

    // MARK: - tests

    func testForwardAnswersAndCarriesConcurrentRequests() throws {
        let pod = try createPod()
        let port = try Self.freePort()
        let tunnel = try startTunnel(pod.name, "\(port):8888")
        XCTAssertEqual(try Self.httpGet(port), "runpod-sim pod \(pod.id) port 8888")

        // 64 clients at once: each gets its own channel, all through the one session.
        let answers = LockedValue<[String?]>(Array(repeating: nil, count: 64))
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let body = try? Self.httpGet(port)
            answers.withLock { $0[i] = body }
        }
        XCTAssertEqual(answers.current.filter { $0 == "runpod-sim pod \(pod.id) port 8888" }.count, 64, "\(answers.current)")

        let listed = try XCTUnwrap(try cli.json(["tunnel", "list"]) as? [[String: Any]])
        XCTAssertEqual(listed.first?["podID"] as? String, pod.id)
        XCTAssertEqual(listed.first?["detached"] as? Bool, false)

        tunnel.interrupt()
        let result = tunnel.wait(timeout: .seconds(30))
        XCTAssertEqual(result.status, 130, "\(result)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateFile(pod.id).path), "the state file is removed on exit")
        XCTAssertNil(try? Self.httpGet(port), "the local port is closed once the tunnel stops")
    }

    func testSurvivesSSHDKilledAndRestarted() throws {
        let pod = try createPod()
        let port = try Self.freePort()
        let tunnel = try startTunnel(pod.name, "\(port):8888")
        XCTAssertEqual(try Self.httpGet(port), "runpod-sim pod \(pod.id) port 8888")

        try control(pod.id, "sshd", ["action": "kill"])
        try eventually("the tunnel notices the kill", timeout: 30) { tunnel.stderrSoFar.contains("disconnected") }
        try control(pod.id, "sshd", ["action": "restart"])
        try eventually("the same local port serves again", timeout: 60) {
            (try? Self.httpGet(port, timeout: 5)) == "runpod-sim pod \(pod.id) port 8888"
        }
        XCTAssertTrue(tunnel.isRunning, tunnel.stderrSoFar)
        let listed = try XCTUnwrap(try cli.json(["tunnel", "list"]) as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(listed.first?["reconnects"] as? Int ?? 0, 1, "\(listed)")
    }

    func testNetworkCutIsDetectedAndTheTunnelRecovers() throws {
        let pod = try createPod()
        let port = try Self.freePort()
        let tunnel = try startTunnel(pod.name, "\(port):8888")
        XCTAssertEqual(try Self.httpGet(port), "runpod-sim pod \(pod.id) port 8888")
        // Idle, as a forward usually is: only the liveness probe can notice the cut.
        Thread.sleep(forTimeInterval: 2)

        let before = tunnel.stderrSoFar.components(separatedBy: "disconnected").count
        try control(pod.id, "network", ["up": false])
        let cut = Date()
        try eventually("the dead session is detected", timeout: 40) {
            tunnel.stderrSoFar.components(separatedBy: "disconnected").count > before
        }
        let detected = Date().timeIntervalSince(cut)
        print("tunnel: dead session detected \(String(format: "%.1f", detected)) s after the network cut")
        XCTAssertLessThan(detected, 15, "detection took \(detected) s; the probe should find it in about 8 s")

        try control(pod.id, "network", ["up": true])
        let restored = Date()
        try eventually("the same local port serves again after the restore", timeout: 45) {
            (try? Self.httpGet(port, timeout: 5)) == "runpod-sim pod \(pod.id) port 8888"
        }
        print("tunnel: serving again \(String(format: "%.1f", Date().timeIntervalSince(restored))) s after the restore")
        XCTAssertTrue(tunnel.isRunning, tunnel.stderrSoFar)
    }

    func testFollowsThePodThroughStopAndStart() throws {
        let pod = try createPod()
        let port = try Self.freePort()
        let tunnel = try startTunnel(pod.name, "\(port):8888")
        XCTAssertEqual(try Self.httpGet(port), "runpod-sim pod \(pod.id) port 8888")

        let stopped = try cli.run(["stop", pod.name])
        XCTAssertEqual(stopped.status, 0, "\(stopped)")
        try eventually("the tunnel reports the stopped pod", timeout: 40) { tunnel.stderrSoFar.contains("waiting for \(pod.name) to start") }
        let started = try cli.run(["start", pod.name])
        XCTAssertEqual(started.status, 0, "\(started)")
        // A new public port and a new host key, accepted because autopod saw the restart.
        try eventually("the tunnel follows the pod to its new port", timeout: 60) {
            (try? Self.httpGet(port, timeout: 5)) == "runpod-sim pod \(pod.id) port 8888"
        }
        XCTAssertTrue(tunnel.isRunning, tunnel.stderrSoFar)
        XCTAssertFalse(tunnel.stderrSoFar.contains("--accept-new-host-key"), tunnel.stderrSoFar)
    }

    func testChangedHostKeyWithoutARestartEndsTheTunnel() throws {
        let pod = try createPod()
        let port = try Self.freePort()
        let tunnel = try startTunnel(pod.name, "\(port):8888")
        XCTAssertEqual(try Self.httpGet(port), "runpod-sim pod \(pod.id) port 8888")

        // Pin another key for this pod, as if the server's key had changed under us.
        let other = cli.home.appendingPathComponent("other_host_key")
        XCTAssertEqual(try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.path]).status, 0)
        let otherBase64 = try String(contentsOf: other.appendingPathExtension("pub"), encoding: .utf8).split(separator: " ")[1]
        let knownHosts = cli.home.appendingPathComponent("known_hosts")
        let lines = try String(contentsOf: knownHosts, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        var tampered = 0
        let rewritten = lines.map { line -> String in
            guard line.contains("autopod-pod=\(pod.id)") else { return String(line) }
            var fields = line.split(separator: " ").map(String.init)
            fields[2] = String(otherBase64)
            tampered += 1
            return fields.joined(separator: " ")
        }
        XCTAssertEqual(tampered, 1, "one pinned key for the pod: \(lines)")
        try rewritten.joined(separator: "\n").write(to: knownHosts, atomically: true, encoding: .utf8)

        try control(pod.id, "sshd", ["action": "restart"])
        let result = tunnel.wait(timeout: .seconds(60))
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("--accept-new-host-key"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateFile(pod.id).path))
    }

    func testTerminatedPodEndsTheTunnel() throws {
        let pod = try createPod()
        let port = try Self.freePort()
        let tunnel = try startTunnel(pod.name, "\(port):8888")
        XCTAssertEqual(try Self.httpGet(port), "runpod-sim pod \(pod.id) port 8888")
        let killed = try cli.run(["kill", "--yes", pod.name])
        XCTAssertEqual(killed.status, 0, "\(killed)")
        let result = tunnel.wait(timeout: .seconds(60))
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("terminated"), result.stderr)
    }

    func testALocalPortInUseIsNamed() throws {
        let pod = try createPod()
        let busy = try TCPTestServer(mode: .echo)
        defer { busy.stop() }
        let result = try cli.run(["tunnel", pod.name, "\(busy.port):8888"], timeout: .seconds(60))
        XCTAssertEqual(result.status, 1, "\(result)")
        XCTAssertTrue(result.stderr.contains("Local port \(busy.port) is already in use"), result.stderr)

        let detached = try cli.run(["tunnel", "--detach", pod.name, "\(busy.port):8888"], timeout: .seconds(60))
        XCTAssertEqual(detached.status, 1, "\(detached)")
        XCTAssertTrue(detached.stderr.contains("Local port \(busy.port) is already in use"), detached.stderr)
        XCTAssertEqual((try cli.json(["tunnel", "list"]) as? [Any])?.count, 0)
    }

    func testDetachListAndStop() throws {
        let pod = try createPod()
        let port = try Self.freePort()
        let started = try cli.run(["tunnel", "--detach", pod.name, "\(port):8888"], timeout: .seconds(60))
        XCTAssertEqual(started.status, 0, "\(started)")
        XCTAssertTrue(started.stdout.contains("running in the background"), started.stdout)
        try eventually("the background tunnel serves", timeout: 30) {
            (try? Self.httpGet(port, timeout: 5)) == "runpod-sim pod \(pod.id) port 8888"
        }
        var pid: Int32 = 0
        try eventually("list shows it up", timeout: 15) {
            let listed = try cli.json(["tunnel", "list"]) as? [[String: Any]] ?? []
            pid = Int32(listed.first?["pid"] as? Int ?? 0)
            return listed.count == 1 && listed.first?["state"] as? String == "up" && listed.first?["detached"] as? Bool == true
        }
        XCTAssertGreaterThan(pid, 0)
        let table = try cli.run(["tunnel", "list"])
        XCTAssertTrue(table.stdout.contains(pod.name) && table.stdout.contains("\(port)→8888"), table.stdout)
        // A second `tunnel --detach` to the same pod joins this one (TunnelGrowthEndToEndTests).
        let again = try cli.run(["tunnel", "--detach", pod.name, "\(try Self.freePort()):8888"], timeout: .seconds(60))
        XCTAssertEqual(again.status, 0, "\(again)")
        XCTAssertTrue(again.stdout.contains("added localhost:"), again.stdout)

        let stopped = try cli.run(["tunnel", "stop", pod.name], timeout: .seconds(60))
        XCTAssertEqual(stopped.status, 0, "\(stopped)")
        XCTAssertTrue(stopped.stdout.contains("stopped the tunnel"), stopped.stdout)
        XCTAssertFalse(Self.isAlive(pid), "the background process is gone")
        XCTAssertFalse(FileManager.default.fileExists(atPath: stateFile(pod.id).path), "its state file is removed")
        XCTAssertNil(try? Self.httpGet(port), "its port is closed")
        let log = try String(contentsOf: cli.home.appendingPathComponent("tunnels/\(pod.id).log"), encoding: .utf8)
        XCTAssertTrue(log.contains("up: localhost:\(port)"), log)
        XCTAssertEqual((try cli.json(["tunnel", "list"]) as? [Any])?.count, 0)
    }

    /// A tunnel that is still starting has not written its state file yet; the lock it holds
    /// from the start is what keeps a second one out. The test holds that lock itself.
    func testATunnelStillStartingKeepsASecondOneOut() throws {
        let pod = try createPod()
        let directory = cli.home.appendingPathComponent("tunnels")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let fd = open(directory.appendingPathComponent("\(pod.id).lock").path, O_RDWR | O_CREAT, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        let port = try Self.freePort()
        let refused = try cli.run(["tunnel", pod.name, "\(port):8888"], timeout: .seconds(60))
        XCTAssertEqual(refused.status, 1, "\(refused)")
        XCTAssertTrue(refused.stderr.contains("already starting or running"), refused.stderr)
        XCTAssertNil(try? Self.httpGet(port, timeout: 2), "nothing listens on \(port)")

        close(fd)  // the other tunnel is gone: the next one starts
        _ = try startTunnel(pod.name, "\(port):8888")
        XCTAssertEqual(try Self.httpGet(port), "runpod-sim pod \(pod.id) port 8888")
    }

    func testStaleStateFilesAreCleanedUp() throws {
        let dir = cli.home.appendingPathComponent("tunnels")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let stale = """
            {"podID":"gone","podName":"gone-pod","pid":999999,"detached":true,"startedAt":"2026-01-01T00:00:00Z",
            "updatedAt":"2026-01-01T00:00:00Z","state":"up","reconnects":0,"forwards":[{"localPort":1,"remotePort":1,
            "activeConnections":0,"totalConnections":0,"refusedConnections":0,"bytesIn":0,"bytesOut":0}]}
            """
        try Data(stale.utf8).write(to: dir.appendingPathComponent("gone.json"))
        let listed = try cli.run(["tunnel", "list"])
        XCTAssertEqual(listed.status, 0, "\(listed)")
        XCTAssertTrue(listed.stdout.contains("No tunnels running"), listed.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("gone.json").path))
    }

    // MARK: - helpers

    private func createPod() throws -> (id: String, name: String) {
        try connect(["--gpu", "A40"])
        let pod = try XCTUnwrap(try listJSON().first)
        return (try XCTUnwrap(pod["id"] as? String), try XCTUnwrap(pod["name"] as? String))
    }

    /// Starts a foreground tunnel and waits until it says it is up.
    private func startTunnel(_ arguments: String..., file: StaticString = #filePath, line: UInt = #line) throws -> RunningProcess {
        let tunnel = try cli.start(["tunnel"] + arguments)
        backgroundProcesses.append(tunnel)
        try eventually("the tunnel comes up", timeout: 60) {
            if !tunnel.isRunning { return true }
            return tunnel.stderrSoFar.contains("up: localhost:")
        }
        XCTAssertTrue(tunnel.isRunning, "the tunnel exited: \(tunnel.stderrSoFar)", file: file, line: line)
        return tunnel
    }

    private func control(_ podID: String, _ what: String, _ body: [String: Any]) throws {
        let reply = try sim.client.control("POST", "/_sim/pods/\(podID)/\(what)", body)
        XCTAssertEqual(reply.status, 200, reply.text)
    }

    private func stateFile(_ podID: String) -> URL { cli.home.appendingPathComponent("tunnels/\(podID).json") }

    static func isAlive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        return !stat.contains(") Z")
    }

    static func freePort() throws -> Int { try freeLoopbackPort() }

    /// One HTTP GET to 127.0.0.1:port; returns the body without its trailing newline.
    static func httpGet(_ port: Int, timeout: Int = 15) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw FixtureError("connect to \(port): errno \(errno)") }
        let request = Array("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw FixtureError("send to \(port): errno \(errno)")
        }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { break }
            if n < 0 { throw FixtureError("recv from \(port): errno \(errno)") }
            response += buffer[0..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw FixtureError("no HTTP response from \(port): \(text.debugDescription)") }
        return text[split.upperBound...].trimmingCharacters(in: .newlines)
    }
}
