import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// The pod's own watchdog, end to end: autopod puts it on the pod, then the laptop side goes
/// away (no autopod process left, every connection closed) and runpod-sim's clock is moved on,
/// so an hour of idling passes in a moment. The watchdog must then stop (or terminate) the pod
/// through RunPod's API with the pod's own key, and leave the reason `autopod list` shows; it
/// must not stop a pod whose GPU is busy or that has an open shell; the runtime limit and the
/// budget stop a pod whatever it does; after `autopod start` it is back.
///
/// Every case ends in the watchdog acting (the ones about a busy pod first show it holds back,
/// then that it acts once the pod is idle), so each fails if the watchdog does not run: set
/// AUTOPOD_E2E_KILL_WATCHDOG=1 to kill it on the pod right after autopod starts it, and watch
/// them fail.
final class GuardEndToEndTests: EndToEndCase {
    override var bootDelay: Double { 0.5 }
    override class var stopsTunnelsAfterEachTest: Bool { true }

    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(getuid() == 0, "pods' own namespaces (the watchdog tells its pod's sessions from others') need root")
    }

    // MARK: - tests

    func testAnIdlePodStopsItselfWithTheLaptopGoneAndItsGuardIsBackAfterStart() throws {
        let connected = try connect(["--name", "idle", "--idle-stop", "60m"])
        XCTAssertTrue(connected.stdout.contains("guard         stop after idle 60 min"), "\(connected)")
        let pod = try podID("idle")
        try killWatchdogIfAsked(pod)
        try laptopGone()
        let first = try watchdogCheck(pod)
        XCTAssertEqual(first["busy"], "", "nothing runs on the pod: \(first)")

        try advanceClock(3601)
        try waitForStatus(pod, "EXITED")
        let log = try guardLog(pod)
        XCTAssertTrue(log.contains("stop: idle 60 min"), log)
        let listed = try cli.run(["list"])
        XCTAssertTrue(listed.stdout.contains("idle: stopped by autopod: idle 60 min"), "\(listed)")
        XCTAssertEqual(try listJSON().first?["stoppedByGuard"] as? String, "idle 60 min")
        let info = try cli.run(["info", "idle"])
        XCTAssertTrue(info.stdout.contains("stopped by autopod: idle 60 min"), "\(info)")
        XCTAssertTrue((try simPod(pod)["name"] as? String)?.hasSuffix("(stopped by autopod: idle 60 min)") ?? false)

        // Started again: the container was wiped, and autopod puts the watchdog back.
        let started = try cli.run(["start", "idle"])
        XCTAssertEqual(started.status, 0, "\(started)")
        XCTAssertTrue(started.stdout.contains("guard: stop after idle 60 min"), "\(started)")
        XCTAssertTrue(started.stderr.contains("autopod's guard stopped idle on"), "the last stop is reported once: \(started)")
        try killWatchdogIfAsked(pod)
        try eventually("the watchdog gives the pod its name back") { try self.simPod(pod)["name"] as? String == "idle" }
        XCTAssertNil(try listJSON().first?["stoppedByGuard"])
        _ = try watchdogCheck(pod)
        try advanceClock(3601)
        try waitForStatus(pod, "EXITED")
    }

    func testTheTerminateActionTerminatesAndListSaysWhy() throws {
        try connect(["--name", "doomed", "--idle-stop", "30m", "--idle-action", "terminate"])
        let pod = try podID("doomed")
        try killWatchdogIfAsked(pod)
        try laptopGone()
        _ = try watchdogCheck(pod)
        try advanceClock(1801)
        try eventually("the pod is terminated") { try self.simPod(pod)["terminated"] as? Bool == true }
        let listed = try cli.run(["list", "--all"])
        XCTAssertTrue(listed.stdout.contains("doomed: terminated by autopod: idle 30 min"), "\(listed)")
    }

    func testABusyGPUKeepsThePodUntilItGoesIdle() throws {
        try connect(["--name", "training", "--idle-stop", "60m"])
        let pod = try podID("training")
        try killWatchdogIfAsked(pod)
        try laptopGone()
        try gpu(pod, util: 80)
        XCTAssertEqual(try watchdogCheck(pod)["busy"], "GPU at 80%")
        try advanceClock(7200)
        XCTAssertEqual(try watchdogCheck(pod)["busy"], "GPU at 80%")
        XCTAssertEqual(try simPod(pod)["desiredStatus"] as? String, "RUNNING", "a pod whose GPU works was stopped")

        try gpu(pod, util: 0)
        XCTAssertEqual(try watchdogCheck(pod)["busy"], "")
        try advanceClock(3601)
        try waitForStatus(pod, "EXITED")
    }

    func testAnOpenShellKeepsThePodAndItsEndSaysThePodStillBills() throws {
        try connect(["--name", "shelled", "--idle-stop", "60m"])
        let pod = try podID("shelled")
        try killWatchdogIfAsked(pod)
        let terminal = try cli.tmux(["shell", "shelled", "--no-forwards"], width: 160, height: 30)
        try terminal.type("echo ready-$((6*7))")
        try terminal.waitFor("ready-42")
        XCTAssertEqual(try watchdogCheck(pod)["busy"], "an SSH session is open")
        try advanceClock(7200)
        XCTAssertEqual(try watchdogCheck(pod)["busy"], "an SSH session is open")
        XCTAssertEqual(try simPod(pod)["desiredStatus"] as? String, "RUNNING", "a pod with an open shell was stopped")

        try terminal.type("exit")
        let screen = try terminal.waitFor("autopod stop shelled")
        XCTAssertTrue(screen.contains("shelled is still running at $0.400/hr · guard: stop after idle 60 min"), screen)
        XCTAssertEqual(try terminal.waitForExit(), 0)
        try killWatchdogIfAsked(pod)
        try laptopGone()
        XCTAssertEqual(try watchdogCheck(pod)["busy"], "")
        try advanceClock(3601)
        try waitForStatus(pod, "EXITED")
    }

    func testAQuietTunnelDoesNotKeepThePodButTrafficDoes() throws {
        try connect(["--name", "tunneled", "--idle-stop", "60m"])
        let pod = try podID("tunneled")
        try killWatchdogIfAsked(pod)
        let port = try freeLoopbackPort()
        let tunnel = try cli.start(["tunnel", "tunneled", "\(port):8888"])
        backgroundProcesses.append(tunnel)
        try eventually("the tunnel comes up", timeout: 60) { tunnel.stderrSoFar.contains("up: localhost:") }
        try eventually("the tunnel puts the guard on the pod") { try self.watchdogStarts(pod) >= 2 }
        try killWatchdogIfAsked(pod)
        // A browser tab left open: a connection through the tunnel that carries nothing.
        let quiet = try TCPConnection(port: port)
        defer { quiet.close() }
        _ = try watchdogCheck(pod)

        // Traffic through the tunnel is use...
        let stop = LockedValue(false)
        let traffic = Thread {
            while !stop.current { _ = try? TCPConnection.httpGet(port) }
        }
        traffic.start()
        defer { stop.set(true) }
        try eventually("the watchdog sees the traffic") {
            _ = try self.advanceClock(31)
            return try self.watchdogCheck(pod)["busy"] == "SSH connections carry data"
        }
        stop.set(true)

        // ...an idle tunnel, with its connection still open, is not.
        try eventually("the watchdog sees the tunnel go quiet") {
            _ = try self.advanceClock(31)
            return try self.watchdogCheck(pod)["busy"] == ""
        }
        try advanceClock(3601)
        try waitForStatus(pod, "EXITED")
        XCTAssertTrue(tunnel.isRunning, "the tunnel was still there, idle")
    }

    func testTheRuntimeLimitStopsAPodEvenAtFullGPU() throws {
        try connect(["--name", "long", "--idle-stop", "0", "--max-runtime", "1h"])
        let pod = try podID("long")
        try killWatchdogIfAsked(pod)
        try gpu(pod, util: 100)
        try laptopGone()
        XCTAssertEqual(try watchdogCheck(pod)["busy"], "GPU at 100%")
        try advanceClock(3601)
        try waitForStatus(pod, "EXITED")
        XCTAssertTrue(try cli.run(["list"]).stdout.contains("long: stopped by autopod: runtime 60 min"))
    }

    func testTheOpenTerminalsAreToldBeforeThePodStops() throws {
        try connect(["--name", "told", "--idle-stop", "0", "--max-runtime", "1h"])
        let pod = try podID("told")
        let terminal = try cli.tmux(["shell", "told", "--no-forwards"], width: 160, height: 30)
        try terminal.type("echo ready-$((6*7))")
        try terminal.waitFor("ready-42")
        try killWatchdogIfAsked(pod)
        _ = try watchdogCheck(pod)
        try advanceClock(3601)
        try terminal.waitFor("autopod: stopping this pod now (runtime 60 min). Its volume is kept; `autopod start told` resumes it.")
        try waitForStatus(pod, "EXITED")
    }

    func testTheBudgetStopsAPod() throws {
        // An A40 is $0.40/hr: $1.00 lasts two and a half hours.
        try connect(["--name", "budgeted", "--gpu", "A40", "--idle-stop", "0", "--budget", "1"])
        let pod = try podID("budgeted")
        try killWatchdogIfAsked(pod)
        try gpu(pod, util: 100)
        try laptopGone()
        _ = try watchdogCheck(pod)
        try advanceClock(2 * 3600)
        XCTAssertEqual(try watchdogCheck(pod)["busy"], "GPU at 100%")
        XCTAssertEqual(try simPod(pod)["desiredStatus"] as? String, "RUNNING", "stopped before the budget was spent")
        try advanceClock(1900)
        try waitForStatus(pod, "EXITED")
        XCTAssertTrue(try cli.run(["list"]).stdout.contains("budgeted: stopped by autopod: budget $1.00"))
    }

    func testGuardChangesARunningPodsLimitsAndShowsProgress() throws {
        try connect(["--name", "tuned"])
        let pod = try podID("tuned")
        try killWatchdogIfAsked(pod)
        _ = try watchdogCheck(pod)
        let shown = try cli.run(["guard", "tuned"])
        XCTAssertTrue(shown.stdout.contains("stop after idle 60 min"), "\(shown)")
        XCTAssertTrue(shown.stdout.contains("idle "), "\(shown)")

        let changed = try cli.run(["guard", "tuned", "--idle-stop", "10m", "--budget", "5"])
        XCTAssertEqual(changed.status, 0, "\(changed)")
        XCTAssertTrue(changed.stdout.contains("stop after idle 10 min or budget $5.00"), "\(changed)")
        _ = try watchdogCheck(pod)
        let info = try cli.run(["info", "tuned"])
        XCTAssertTrue(info.stdout.contains("of $5.00"), "\(info)")
        try killWatchdogIfAsked(pod)
        try laptopGone()
        try advanceClock(601)
        try waitForStatus(pod, "EXITED")
        XCTAssertTrue(try cli.run(["list"]).stdout.contains("tuned: stopped by autopod: idle 10 min"))

        let off = try cli.run(["guard", "tuned", "--off"])
        XCTAssertEqual(off.status, 0, "\(off)")
        XCTAssertTrue(off.stdout.contains("off"), "\(off)")
    }

    func testATunnelStopsThePodAtItsRuntimeLimitWhenThePodCannot() throws {
        // No watchdog on the pod (as when it has no curl, python3 or wget): the laptop's guard,
        // on the real clock, is what stops it.
        try connect(["--name", "local", "--idle-stop", "0", "--max-runtime", "20s"])
        let pod = try podID("local")
        let pid = try String(contentsOfFile: try guardDirectory(pod) + "/pid", encoding: .utf8)
        kill(Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, SIGKILL)
        let tunnel = try cli.start(["tunnel", "local", "\(try freeLoopbackPort()):8888"])
        backgroundProcesses.append(tunnel)
        let ended = tunnel.wait(timeout: .seconds(90))
        XCTAssertTrue(ended.stderr.contains("autopod stopped local (runtime 20 s)"), "\(ended)")
        XCTAssertEqual(try simPod(pod)["desiredStatus"] as? String, "EXITED")
        XCTAssertTrue(try cli.run(["list"]).stdout.contains("local: stopped by autopod: runtime 20 s"))
    }

    func testTheUsersKeyIsNeverOnThePod() throws {
        try connect(["--name", "secret"])
        let pod = try podID("secret")
        XCTAssertEqual(try cli.run(["exec", "secret", "--", "true"]).status, 0)
        _ = try watchdogCheck(pod)
        let details = try simPod(pod)
        let podKey = try XCTUnwrap(details["apiKey"] as? String)
        let userKey = SimulatorProcess.apiKey
        XCTAssertFalse(podKey.contains(userKey))

        // Every file of the pod: its machine's directory (sshd's config and environment, the
        // clock) and its volume (the watchdog's script, configuration, status and log).
        var searched = 0
        for directory in [details["directory"] as? String, details["volume"] as? String].compactMap({ $0 }) {
            let files = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String } ?? []
            for file in files {
                guard let data = FileManager.default.contents(atPath: directory + "/" + file) else { continue }
                searched += 1
                XCTAssertNil(data.range(of: Data(userKey.utf8)), "the user's key is in \(directory)/\(file)")
            }
        }
        XCTAssertGreaterThan(searched, 5)

        // Every process of the pod, the watchdog among them: the pod's key, never the user's.
        let namespace = try XCTUnwrap(details["namespace"] as? String)
        let pids = try ChildProcess.run(["/usr/sbin/ip", "netns", "pids", namespace]).stdout.split(separator: "\n")
        var sawPodKey = false
        for pid in pids {
            guard let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            XCTAssertNil(environment.range(of: Data(userKey.utf8)), "the user's key is in process \(pid)'s environment")
            if environment.range(of: Data("RUNPOD_API_KEY=\(podKey)".utf8)) != nil { sawPodKey = true }
        }
        XCTAssertTrue(sawPodKey, "the watchdog runs with the pod's own key")
    }

    // MARK: - helpers

    private func podID(_ name: String) throws -> String {
        try XCTUnwrap(try listJSON().first { $0["name"] as? String == name }?["id"] as? String, "no pod \(name)")
    }

    private func simPod(_ id: String) throws -> [String: Any] { try sim.client.simPod(id) }

    private func gpu(_ id: String, util: Int) throws {
        try sim.client.setGPUUtilisation(id, util: util, memoryUtil: util / 2)
    }

    /// The simulator's clock moves on by `seconds`; returns its new time (epoch seconds).
    @discardableResult
    private func advanceClock(_ seconds: Int) throws -> Double {
        let reply = try sim.client.control("POST", "/_sim/clock", ["advanceSeconds": seconds])
        XCTAssertEqual(reply.status, 200, reply.text)
        return try XCTUnwrap(reply.json?["epochSeconds"] as? Double)
    }

    private func simNow() throws -> Double {
        try XCTUnwrap(try sim.client.control("GET", "/_sim/clock").json?["epochSeconds"] as? Double)
    }

    /// No autopod process for this home is left, and none holds a connection to the pod.
    private func laptopGone() throws {
        _ = try cli.run(["tunnel", "stop", "all"], timeout: .seconds(30))
        for process in backgroundProcesses where process.isRunning { process.terminate() }
    }

    private func guardDirectory(_ id: String) throws -> String {
        let volume = try XCTUnwrap(try simPod(id)["volume"] as? String)
        return "\(volume)/.autopod/guard/\(id)"
    }

    /// How often a watchdog was started or told to reread its limits on the pod.
    private func watchdogStarts(_ id: String) throws -> Int {
        try guardLog(id).split(separator: "\n").filter { $0.hasSuffix(" started") || $0.hasSuffix(" reloaded its limits") }.count
    }

    private func guardLog(_ id: String) throws -> String {
        (try? String(contentsOfFile: try guardDirectory(id) + "/guard.log", encoding: .utf8)) ?? ""
    }

    /// The watchdog's first check after now: the clock is moved past its interval, and its
    /// status file read once it is newer than that.
    private func watchdogCheck(_ id: String) throws -> [String: String] {
        let after = try advanceClock(31)
        let path = try guardDirectory(id) + "/status"
        var fields: [String: String] = [:]
        try eventually("a watchdog check after \(Int(after))", timeout: 30) {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            fields = Dictionary(
                text.split(separator: "\n").compactMap { line in
                    let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
                }, uniquingKeysWith: { $1 })
            return (fields["checked"].flatMap(Double.init) ?? 0) >= after.rounded(.down)
        }
        return fields
    }

    private func waitForStatus(_ id: String, _ status: String) throws {
        try eventually("pod \(id) is \(status)", timeout: 30) { try self.simPod(id)["desiredStatus"] as? String == status }
    }

    /// With AUTOPOD_E2E_KILL_WATCHDOG=1, the watchdog autopod just started is killed, so every
    /// case shows it fails without it. Every autopod command that reaches the pod starts it
    /// again, so this follows the last of them.
    private func killWatchdogIfAsked(_ id: String) throws {
        guard ProcessInfo.processInfo.environment["AUTOPOD_E2E_KILL_WATCHDOG"] == "1" else { return }
        let pidText = try String(contentsOfFile: try guardDirectory(id) + "/pid", encoding: .utf8)
        if let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) { kill(pid, SIGKILL) }
    }
}

private struct GuardTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A plain TCP connection to a loopback port, held open.
private final class TCPConnection {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw GuardTestError("connect to \(port): errno \(errno)")
        }
    }

    func close() { Glibc.close(fd) }

    /// One HTTP request and its whole reply.
    static func httpGet(_ port: Int) throws -> String {
        let connection = try TCPConnection(port: port)
        defer { connection.close() }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(connection.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let request = Array("GET / HTTP/1.0\r\nHost: localhost\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(connection.fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            reply += buffer[0..<n]
        }
        return String(decoding: reply, as: UTF8.self)
    }
}
