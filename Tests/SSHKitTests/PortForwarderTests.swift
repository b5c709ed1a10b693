import AutopodSupport
import Foundation
import SSHKit
import TestSupport
import XCTest

/// Collects a running tunnel's outcome and events across threads.
final class TunnelRun: Sendable {
    let forwarder: PortForwarder
    private struct Outcome {
        var events: [String] = []
        var error: SSHError?
    }
    private let outcome = LockedValue(Outcome())
    private let done = DispatchSemaphore(value: 0)

    /// `port`: where to connect instead of sshd's own port (a proxy in front of it).
    init(_ forwarder: PortForwarder, sshd: SSHDFixture, knownHosts: KnownHostsFile, port: Int? = nil) {
        self.forwarder = forwarder
        let key = sshd.clientKey
        Thread { [self] in
            do {
                try forwarder.run(
                    resolveEndpoint: { SSHEndpoint(host: "127.0.0.1", port: port ?? sshd.port, user: sshd.user) },
                    credentials: SSHCredentials(keyFiles: [key], useAgent: false),
                    verifyHostKey: { endpoint, hostKey throws(SSHError) in
                        try knownHosts.verify(podID: "pod-t", endpoint: endpoint, presented: hostKey, restartSeenSincePinned: false, acceptNew: false)
                    },
                    events: { [self] event in outcome.withLock { $0.events.append("\(event)") } })
            } catch {
                outcome.withLock { $0.error = error as? SSHError }
            }
            done.signal()
        }.start()
    }

    var events: [String] { outcome.current.events }
    var error: SSHError? { outcome.current.error }

    func wait(timeout: Double) -> Bool {
        done.wait(timeout: .now() + timeout) == .success
    }

    func waitForEvent(_ prefix: String, count: Int = 1, timeout: Double = 20) -> Bool {
        let deadline = Deadline.after(.seconds(timeout))
        while !deadline.hasPassed {
            if events.filter({ $0.hasPrefix(prefix) }).count >= count { return true }
            Sleep.for(.milliseconds(20))
        }
        return false
    }

    func stop() {
        forwarder.stop()
        _ = wait(timeout: 10)
    }
}

/// Clients that each connect to `port` on a thread of their own and echo a checked stream.
final class EchoClients: Sendable {
    private let problems = LockedValue<[String]>([])
    private let group = DispatchGroup()

    init(port: Int, count: Int, chunk: Int = 65536, stream: @escaping @Sendable (Int) -> (seed: UInt64, total: Int)) {
        for i in 0..<count {
            group.enter()
            Thread { [self] in
                defer { group.leave() }
                let fd = connectLoopback(port: port)
                defer { if fd >= 0 { close(fd) } }
                let (seed, total) = stream(i)
                if let problem = fd < 0 ? "connect failed" : echoRoundTrip(fd: fd, seed: seed, total: total, chunk: chunk) {
                    problems.withLock { $0.append("\(i): \(problem)") }
                }
            }.start()
        }
    }

    func wait(timeout: Double) -> Bool { group.wait(timeout: .now() + timeout) == .success }

    /// What went wrong, one line per client.
    var failures: [String] { problems.current }
}

final class PortForwarderTests: SSHTestCase {
    var knownHosts: KnownHostsFile!
    var khDir = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        khDir = try makeTempDirectory(prefix: "fwd")
        knownHosts = KnownHostsFile(path: khDir + "/known_hosts")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: khDir)
        super.tearDown()
    }

    func startTunnel(_ specs: [ForwardSpec]) throws -> TunnelRun {
        let forwarder = try PortForwarder(specs)
        let run = TunnelRun(forwarder, sshd: sshd, knownHosts: knownHosts)
        XCTAssertTrue(run.waitForEvent("connected"), "\(run.events)")
        return run
    }

    func testBulk256MBEachWayIsByteExact() throws {
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        let run = try startTunnel([ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port)])
        defer { run.stop() }
        let port = run.forwarder.boundPorts[0]
        let fd = connectLoopback(port: port)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        let total = 256 * 1024 * 1024
        XCTAssertNil(echoRoundTrip(fd: fd, seed: 42, total: total))
        let stats = run.forwarder.stats()[0]
        XCTAssertEqual(stats.bytesToRemote, UInt64(total))
        XCTAssertEqual(stats.bytesToLocal, UInt64(total))
        XCTAssertEqual(stats.totalConnections, 1)
    }

    func test64ConcurrentConnections() throws {
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        let run = try startTunnel([ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port)])
        defer { run.stop() }
        let clients = EchoClients(port: run.forwarder.boundPorts[0], count: 64) { i in (seed: UInt64(i + 1), total: 512 * 1024 + i * 1000) }
        XCTAssertTrue(clients.wait(timeout: 120))
        XCTAssertEqual(clients.failures, [])
        let stats = run.forwarder.stats()[0]
        XCTAssertEqual(stats.totalConnections, 64)
        let end = Date().addingTimeInterval(5)
        while run.forwarder.stats()[0].activeConnections > 0 && Date() < end { usleep(20_000) }
        XCTAssertEqual(run.forwarder.stats()[0].activeConnections, 0)
    }

    /// libssh2 1.10 keeps one partly sent packet per session and refuses any other packet until
    /// it is finished (LIBSSH2_ERROR_BAD_USE). A link that pauses while many channels stream is
    /// what leaves a packet half sent, so this pauses one repeatedly under 16 streams.
    func testAPausingLinkUnderManyStreamsLosesNothing() throws {
        let proxy = try StallingProxy(target: sshd.port)
        defer { proxy.stop() }
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        let forwarder = try PortForwarder([ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port)])
        let run = TunnelRun(forwarder, sshd: sshd, knownHosts: knownHosts, port: proxy.port)
        defer { run.stop() }
        XCTAssertTrue(run.waitForEvent("connected"), "\(run.events)")
        let clients = EchoClients(port: forwarder.boundPorts[0], count: 16, chunk: 8192) { i in (seed: UInt64(100 + i), total: 6 << 20) }
        for _ in 0..<6 {
            usleep(150_000)
            proxy.isStalled = true
            usleep(400_000)
            proxy.isStalled = false
        }
        XCTAssertTrue(clients.wait(timeout: 120))
        XCTAssertEqual(clients.failures, [])
        XCTAssertEqual(run.events.filter { $0.hasPrefix("disconnected") }, [], "the session was dropped")
    }

    /// Budget and windows far smaller than the traffic: every connection still completes, byte
    /// for byte (a budget that is spent must hold windows back, never stop channels for good).
    func testATinyBudgetStillCarriesEveryByte() throws {
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        var configuration = PortForwarder.Configuration()
        configuration.minimumWindow = 64 * 1024
        configuration.initialWindow = 256 * 1024
        configuration.maximumWindow = 1 << 20
        configuration.memoryBudget = 1 << 20
        let forwarder = try PortForwarder([ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port)], configuration: configuration)
        let run = TunnelRun(forwarder, sshd: sshd, knownHosts: knownHosts)
        defer { run.stop() }
        XCTAssertTrue(run.waitForEvent("connected"), "\(run.events)")
        let clients = EchoClients(port: forwarder.boundPorts[0], count: 16) { i in (seed: UInt64(200 + i), total: 4 << 20) }
        XCTAssertTrue(clients.wait(timeout: 120))
        XCTAssertEqual(clients.failures, [])
    }

    /// A client that stops reading a source that never stops: its channel gets no more window, so
    /// the forwarder stops taking its data, and the connections beside it are carried as before.
    func testAStalledReaderGetsNoMoreWindowAndOthersGoOn() throws {
        let flood = try TCPTestServer(mode: .flood)
        defer { flood.stop() }
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        let run = try startTunnel([
            ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: flood.port),
            ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port),
        ])
        defer { run.stop() }
        let stalled = connectLoopback(port: run.forwarder.boundPorts[0])
        XCTAssertGreaterThanOrEqual(stalled, 0)
        defer { close(stalled) }
        // Delivery into the stalled client's socket stops once the socket is full.
        var delivered = run.forwarder.stats()[0].bytesToLocal
        var steadySince = Date()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline && Date().timeIntervalSince(steadySince) < 1.5 {
            usleep(100_000)
            let now = run.forwarder.stats()[0].bytesToLocal
            if now != delivered || now == 0 { delivered = now; steadySince = Date() }
        }
        XCTAssertGreaterThan(delivered, 0)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(steadySince), 1.5, "delivery to a client that does not read must stop")
        let clients = EchoClients(port: run.forwarder.boundPorts[1], count: 4) { i in (seed: UInt64(300 + i), total: 8 << 20) }
        XCTAssertTrue(clients.wait(timeout: 120))
        XCTAssertEqual(clients.failures, [])
        // The stalled client can still read everything it was sent, in order, once it reads.
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var got = 0
        while got < 32 << 20 {
            let n = read(stalled, &buffer, buffer.count)
            XCTAssertGreaterThan(n, 0, "the stalled client's stream resumes")
            if n <= 0 { break }
            got += n
        }
    }

    func testHalfCloseBothWays() throws {
        let server = try TCPTestServer(mode: .countThenReply)
        defer { server.stop() }
        let run = try startTunnel([ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: server.port)])
        defer { run.stop() }
        let fd = connectLoopback(port: run.forwarder.boundPorts[0])
        defer { close(fd) }
        let payload = [UInt8](repeating: 7, count: 100_000)
        var off = 0
        while off < payload.count {
            let n = payload.withUnsafeBytes { send(fd, $0.baseAddress! + off, payload.count - off, 0) }
            XCTAssertGreaterThan(n, 0)
            off += n
        }
        // Local EOF must reach the server (it replies only then) while our read side stays open.
        shutdown(fd, Int32(SHUT_WR))
        var reply: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            reply += buf[0..<n]
        }
        XCTAssertEqual(String(decoding: reply, as: UTF8.self), "got 100000")
    }

    func testRefusedRemotePortClosesOnlyThatClient() throws {
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        let dead = try freeLoopbackPort()
        let run = try startTunnel([
            ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: dead),
            ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port),
        ])
        defer { run.stop() }
        let good = connectLoopback(port: run.forwarder.boundPorts[1])
        defer { close(good) }
        let bad = connectLoopback(port: run.forwarder.boundPorts[0])
        defer { close(bad) }
        var byte: UInt8 = 0
        XCTAssertEqual(read(bad, &byte, 1), 0, "refused client must be closed")
        XCTAssertNil(echoRoundTrip(fd: good, seed: 9, total: 100_000))
        XCTAssertEqual(run.forwarder.stats()[0].refusedConnections, 1)
        XCTAssertTrue(run.waitForEvent("connectionRefused"), "\(run.events)")
    }

    func testSSHDRestartIsSurvivedOnTheSameLocalPort() throws {
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        let run = try startTunnel([ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port)])
        defer { run.stop() }
        let port = run.forwarder.boundPorts[0]
        let first = connectLoopback(port: port)
        XCTAssertNil(echoRoundTrip(fd: first, seed: 1, total: 10_000))
        close(first)

        sshd.stop()
        XCTAssertTrue(run.waitForEvent("disconnected", timeout: 10), "dead session must be noticed: \(run.events)")
        try sshd.start()
        XCTAssertTrue(run.waitForEvent("connected", count: 2, timeout: 40), "\(run.events)")
        let second = connectLoopback(port: port)
        XCTAssertGreaterThanOrEqual(second, 0)
        defer { close(second) }
        XCTAssertNil(echoRoundTrip(fd: second, seed: 2, total: 10_000))
        XCTAssertNil(run.error)
    }

    func testChangedHostKeyOnReconnectEndsTheTunnel() throws {
        let run = try startTunnel([ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: 9)])
        try sshd.restart(newHostKey: true)
        XCTAssertTrue(run.wait(timeout: 40), "tunnel must end: \(run.events)")
        XCTAssertEqual(run.error?.kind, .hostKeyChanged)
        XCTAssertTrue(run.error?.description.contains("intercepted") ?? false, "\(String(describing: run.error))")
    }

    func testLocalPortInUseIsAClearError() throws {
        let blocker = try TCPTestServer(mode: .echo)
        defer { blocker.stop() }
        XCTAssertThrowsError(try PortForwarder([ForwardSpec(localPort: blocker.port, remotePort: 8888)])) { error in
            let e = error as! SSHError
            XCTAssertEqual(e.kind, .localPort)
            XCTAssertTrue(e.description.contains("\(blocker.port)"), e.description)
            XCTAssertTrue(e.description.contains("already in use"), e.description)
        }
    }

    func testStopEndsRunPromptly() throws {
        let run = try startTunnel([ForwardSpec(localPort: 0, remotePort: 9)])
        run.forwarder.stop()
        XCTAssertTrue(run.wait(timeout: 5))
        XCTAssertNil(run.error)
    }
}

final class PortForwarderReconnectTests: SSHTestCase {
    func testClientsWaitingForASessionAreRefusedAfterTheBoundAndServedAfterReconnect() throws {
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        let dir = try makeTempDirectory(prefix: "fwd")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var configuration = PortForwarder.Configuration()
        configuration.waitForSessionTimeout = .milliseconds(1500)
        let forwarder = try PortForwarder(
            [ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port)], configuration: configuration)
        let run = TunnelRun(forwarder, sshd: sshd, knownHosts: KnownHostsFile(path: dir + "/kh"))
        defer { run.stop() }
        XCTAssertTrue(run.waitForEvent("connected"))
        sshd.stop()
        XCTAssertTrue(run.waitForEvent("disconnected", timeout: 10))
        let start = ContinuousClock.now
        let waiting = connectLoopback(port: forwarder.boundPorts[0])
        XCTAssertGreaterThanOrEqual(waiting, 0, "the port stays bound while there is no session")
        var byte: UInt8 = 0
        XCTAssertLessThanOrEqual(read(waiting, &byte, 1), 0, "a client with no session in sight is closed")
        close(waiting)
        let waited = start.elapsed
        XCTAssertGreaterThan(waited, .seconds(1))
        XCTAssertLessThan(waited, .seconds(6))
        XCTAssertGreaterThanOrEqual(forwarder.stats()[0].refusedConnections, 1)

        try sshd.start()
        XCTAssertTrue(run.waitForEvent("connected", count: 2, timeout: 40), "\(run.events)")
        let later = connectLoopback(port: forwarder.boundPorts[0])
        defer { close(later) }
        XCTAssertNil(echoRoundTrip(fd: later, seed: 3, total: 50_000))
    }
}
