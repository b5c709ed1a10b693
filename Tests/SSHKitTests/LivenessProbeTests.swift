#if canImport(Glibc)
import AutopodSupport
import Glibc
#endif
import Foundation
@testable import SSHKit
import TestSupport
import XCTest

/// The forwarder's application-level liveness probe: a link that still ACKs but carries nothing
/// is found dead within seconds, and the probe itself is cheap for the server.
final class LivenessProbeTests: SSHTestCase {
    func testAStalledLinkIsDetectedAndTheTunnelReconnects() throws {
        let proxy = try StallingProxy(target: sshd.port)
        defer { proxy.stop() }
        let khDir = try makeTempDirectory(prefix: "probe")
        defer { try? FileManager.default.removeItem(atPath: khDir) }
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        var configuration = PortForwarder.Configuration()
        configuration.maxBackoff = .seconds(2)
        let forwarder = try PortForwarder(
            [ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port)], configuration: configuration)
        let run = TunnelRun(forwarder, sshd: sshd, knownHosts: KnownHostsFile(path: khDir + "/known_hosts"), port: proxy.port)
        defer { run.stop() }
        XCTAssertTrue(run.waitForEvent("connected"), "\(run.events)")
        // Idle for a while first: the probe must keep a healthy idle link up.
        Thread.sleep(forTimeInterval: 10)
        XCTAssertEqual(run.events.filter { $0.hasPrefix("disconnected") }.count, 0, "a healthy idle link was dropped: \(run.events)")

        proxy.isStalled = true
        let stalled = ContinuousClock.now
        XCTAssertTrue(run.waitForEvent("disconnected", timeout: 30), "\(run.events)")
        let detected = stalled.elapsed
        print("liveness: stalled link detected after \(String(format: "%.1f", detected.seconds)) s")
        XCTAssertLessThan(detected, .seconds(15), "\(run.events)")
        XCTAssertTrue(run.events.contains { $0.contains("stopped answering") }, "\(run.events)")

        proxy.isStalled = false
        XCTAssertTrue(run.waitForEvent("connected", count: 2, timeout: 60), "\(run.events)")
        let fd = connectLoopback(port: forwarder.boundPorts[0])
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        XCTAssertNil(echoRoundTrip(fd: fd, seed: 7, total: 1 << 20))
    }

    /// Measures the two candidate probes against a real sshd at LogLevel INFO (OpenSSH's default)
    /// and VERBOSE: wall time per probe and the lines the server logs for them. Both must be
    /// answered; the numbers are printed, not asserted.
    func testProbeKindsAreAnsweredAndMeasured() throws {
        for (level, kind) in [("INFO", LivenessProbe.Kind.session), ("INFO", .closedPort), ("VERBOSE", .session), ("VERBOSE", .closedPort)] {
            sshd.logLevel = level
            try sshd.restart()
            let logBefore = logLines().count
            let count = 200
            var sent = 0
            var perProbe = 0.0
            do {
                let session = try connect()
                session.setBlocking(false)
                let probe = LivenessProbe(session: session, idleAfter: .zero, replyTimeout: .seconds(5), kind: kind)
                let start = ContinuousClock.now
                while probe.probesSent < count || probe.inFlight {
                    // No new probe once `count` were sent; the last one is still finished.
                    if probe.probesSent >= count { probe.idleAfter = .seconds(1_000_000) }
                    try probe.tick(now: .now)
                    guard probe.inFlight else { continue }
                    var p = pollfd(fd: session.socketFD, events: session.blockedEvents | Int16(POLLIN), revents: 0)
                    if poll(&p, 1, 1000) > 0 && p.revents & Int16(POLLIN) != 0 { session.lastInbound = .now }
                }
                sent = probe.probesSent
                perProbe = start.elapsed.seconds / Double(sent) * 1000
            }
            // The session is gone now; give sshd time to log its teardown.
            Thread.sleep(forTimeInterval: 0.5)
            let lines = logLines().dropFirst(logBefore)
            var kinds: [String: Int] = [:]
            for line in lines { kinds[String(line.prefix(32)), default: 0] += 1 }
            print("liveness probe \(kind), sshd LogLevel \(level): \(sent) probes, \(String(format: "%.3f", perProbe)) ms each, sshd logged \(lines.count) lines: \(kinds)")
            XCTAssertGreaterThanOrEqual(sent, count)
        }
    }

    /// sshd's log lines (it ends them with CRLF, which Swift reads as one Character).
    private func logLines() -> [String] {
        sshd.log.replacingOccurrences(of: "\r", with: "").split(separator: "\n").map(String.init)
    }
}
