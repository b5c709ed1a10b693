#if canImport(Glibc)
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
        let forwarder = try PortForwarder([ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port)])
        forwarder.maxBackoff = 2
        let run = TunnelRun(forwarder, sshd: sshd, knownHosts: KnownHostsFile(path: khDir + "/known_hosts"), port: proxy.port)
        defer { run.stop() }
        XCTAssertTrue(run.waitForEvent("connected"), "\(run.events)")
        // Idle for a while first: the probe must keep a healthy idle link up.
        Thread.sleep(forTimeInterval: 10)
        XCTAssertEqual(run.events.filter { $0.hasPrefix("disconnected") }.count, 0, "a healthy idle link was dropped: \(run.events)")

        proxy.isStalled = true
        let stalled = Date()
        XCTAssertTrue(run.waitForEvent("disconnected", timeout: 30), "\(run.events)")
        let detected = Date().timeIntervalSince(stalled)
        print("liveness: stalled link detected after \(String(format: "%.1f", detected)) s")
        XCTAssertLessThan(detected, 15, "\(run.events)")
        XCTAssertTrue(run.events.contains { $0.contains("stopped answering") }, "\(run.events)")

        proxy.isStalled = false
        XCTAssertTrue(run.waitForEvent("connected", count: 2, timeout: 60), "\(run.events)")
        let fd = connectLoopback(port: forwarder.boundPorts[0])
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        XCTAssertNil(echoRoundTrip(fd: fd, seed: 7, total: 1 << 20))
    }

    /// Measures the two candidate probes against a real sshd: wall time per probe and lines
    /// the server logs. Both must be answered; the numbers are printed, not asserted.
    func testProbeKindsAreAnsweredAndMeasured() throws {
        for kind in [LivenessProbe.Kind.session, .closedPort] {
            let session = try connect()
            session.setBlocking(false)
            let logBefore = sshd.log.split(separator: "\n").count
            let probe = LivenessProbe(session: session, idleAfter: 0, replyTimeout: 5, kind: kind)
            let count = 200
            let start = Posix.now()
            while probe.probesSent < count || probe.inFlight {
                try probe.tick(now: Posix.now())
                guard probe.inFlight else { continue }
                var p = pollfd(fd: session.socketFD, events: session.blockedEvents | Int16(POLLIN), revents: 0)
                if poll(&p, 1, 1000) > 0 && p.revents & Int16(POLLIN) != 0 { session.lastInbound = Posix.now() }
            }
            let perProbe = (Posix.now() - start) / Double(probe.probesSent) * 1000
            Thread.sleep(forTimeInterval: 0.2)
            let logLines = sshd.log.split(separator: "\n").count - logBefore
            print("liveness probe \(kind): \(probe.probesSent) probes, \(String(format: "%.3f", perProbe)) ms each, \(logLines) sshd log lines")
            XCTAssertGreaterThanOrEqual(probe.probesSent, count)
        }
    }
}
