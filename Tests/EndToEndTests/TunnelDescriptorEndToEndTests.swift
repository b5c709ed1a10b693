import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// A tunnel that runs out of file descriptors (issue 11 item 12): `accept` fails with EMFILE
/// while clients wait in the kernel's queue, which leaves the listening socket readable. The
/// tunnel must rest and say so, not spin its loop at full CPU, and carry clients again once
/// descriptors are free.
final class TunnelDescriptorEndToEndTests: EndToEndCase {
    /// The listener's handling is the same whichever API found the pod.
    override class var runsOnEveryAPI: Bool { false }

    private var tunnel: RunningProcess?
    private var clients: [Int32] = []

    override func tearDownWithError() throws {
        clients.forEach { close($0) }
        clients = []
        if let tunnel, tunnel.isRunning {
            tunnel.terminate()
            _ = tunnel.wait(timeout: .seconds(15))
        }
        try super.tearDownWithError()
    }

    func testOutOfDescriptorsRestsInsteadOfSpinningAndRecovers() throws {
        try connect(["--gpu", "A40"])
        let pod = try XCTUnwrap(try listJSON().first?["id"] as? String)
        let port = try TunnelEndToEndTests.freePort()
        let tunnel = try cli.start(["tunnel", pod, "\(port):8888"])
        self.tunnel = tunnel
        try eventually("the tunnel comes up", timeout: 60) { !tunnel.isRunning || tunnel.stderrSoFar.contains("up: localhost:") }
        XCTAssertTrue(tunnel.isRunning, tunnel.stderrSoFar)
        XCTAssertEqual(try TunnelEndToEndTests.httpGet(port), "runpod-sim pod \(pod) port 8888")

        // Room for a few more clients than the tunnel holds descriptors now (beyond the 32 it
        // keeps for itself), then many more clients than that.
        let pid = tunnel.process.pid
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        let limit = open + 32 + 6
        let lowered = try ChildProcess.run(["/usr/bin/prlimit", "--pid", "\(pid)", "--nofile=\(limit):\(limit)"])
        XCTAssertEqual(lowered.status, 0, "\(lowered)")
        for _ in 0..<80 { clients.append(try Self.connectClient(port)) }
        try eventually("the tunnel reports that it cannot accept", timeout: 30) {
            tunnel.stderrSoFar.contains("cannot accept a connection on local port \(port)")
        }
        XCTAssertTrue(tunnel.stderrSoFar.contains("may open \(limit) files"), tunnel.stderrSoFar)

        // Clients are still waiting in the kernel's queue: a loop that polls the listener again
        // at once would burn a whole core for the whole window.
        let window = 3.0
        let before = try Self.cpuSeconds(pid)
        let started = Date()
        Thread.sleep(forTimeInterval: window)
        let used = try Self.cpuSeconds(pid) - before
        let elapsed = Date().timeIntervalSince(started)
        print("CPU used by the tunnel out of descriptors: \(String(format: "%.3f", used)) s in \(String(format: "%.1f", elapsed)) s")
        XCTAssertLessThan(used, 0.3 * elapsed, "the tunnel spins while it cannot accept")
        XCTAssertTrue(tunnel.isRunning, tunnel.stderrSoFar)

        // Descriptors free again: new clients are carried.
        clients.forEach { close($0) }
        clients = []
        var body: String?
        try eventually("the tunnel carries clients again", timeout: 30) {
            body = try? TunnelEndToEndTests.httpGet(port, timeout: 5)
            return body != nil
        }
        XCTAssertEqual(body, "runpod-sim pod \(pod) port 8888")
    }

    /// A client connection to 127.0.0.1:port, left open and silent.
    static func connectClient(_ port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw FixtureError("socket: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw FixtureError("connect to \(port): errno \(errno)")
        }
        return fd
    }

    /// User plus system CPU time of `pid` so far, from /proc/PID/stat (fields 14 and 15).
    static func cpuSeconds(_ pid: pid_t) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis
        // start at field 3.
        guard let close = stat.lastIndex(of: ")") else { throw FixtureError("unreadable /proc/\(pid)/stat: \(stat)") }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw FixtureError("unreadable /proc/\(pid)/stat: \(stat)")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
