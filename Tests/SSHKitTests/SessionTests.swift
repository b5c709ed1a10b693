import AutopodSupport
import Foundation
import SSHKit
import TestSupport
import XCTest

final class SessionTests: SSHTestCase {
    func testHandshakeExposesEd25519HostKeyWithOpenSSHFingerprint() throws {
        let session = try SSHSession(connectingTo: endpoint)
        XCTAssertEqual(session.hostKey.type, "ssh-ed25519")
        let pub = try String(contentsOfFile: sshd.hostKeyPath + ".pub", encoding: .utf8).split(separator: " ")
        XCTAssertEqual(session.hostKey.base64, String(pub[1]))
        let listing = try ChildProcess.run(["/usr/bin/ssh-keygen", "-l", "-E", "sha256", "-f", sshd.hostKeyPath + ".pub"])
        XCTAssertEqual(listing.status, 0, "\(listing)")
        // "256 SHA256:xxxx comment (ED25519)"
        XCTAssertEqual(String(listing.stdout.split(separator: " ")[1]), session.hostKey.fingerprint)
        XCTAssertFalse(session.isAuthenticated)
    }

    func testConnectToClosedPortIsAConnectError() throws {
        let port = try freeLoopbackPort()
        XCTAssertThrowsError(try SSHSession(connectingTo: SSHEndpoint(host: "127.0.0.1", port: port))) { error in
            XCTAssertEqual((error as? SSHError)?.kind, .connect)
            XCTAssertEqual((error as? SSHError)?.endpoint, SSHEndpoint(host: "127.0.0.1", port: port))
            XCTAssertTrue("\(error)".contains("\(port)"), "\(error)")
        }
    }

    func testConnectTimeoutToUnroutableAddress() throws {
        var options = SSHSessionOptions()
        options.connectTimeout = .milliseconds(500)
        let start = ContinuousClock.now
        // TEST-NET-1 is never routed; the connect hangs until the deadline.
        XCTAssertThrowsError(try SSHSession(connectingTo: SSHEndpoint(host: "192.0.2.1", port: 22), options: options)) { error in
            let kind = (error as? SSHError)?.kind
            XCTAssertTrue(kind == .timeout || kind == .connect, "\(error)")
        }
        XCTAssertLessThan(start.elapsed, .seconds(5))
    }

    func testHandshakeTimeoutWhenPortDoesNotSpeakSSH() throws {
        // A listener that accepts but never sends a banner.
        let port = try freeLoopbackPort()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(fd, 4)
        var options = SSHSessionOptions()
        options.operationTimeout = .seconds(1)
        XCTAssertThrowsError(try SSHSession(connectingTo: SSHEndpoint(host: "127.0.0.1", port: port), options: options)) { error in
            let e = error as? SSHError
            XCTAssertTrue(e?.kind == .timeout || e?.kind == .handshake, "\(error)")
            XCTAssertNotEqual(e?.code, 0)
        }
    }

    func testEndlessNonSSHLinesEndAtTheHandshakeDeadline() throws {
        // Each line resets libssh2's per-step wait; only the whole-handshake deadline ends it.
        let server = try TCPTestServer(mode: .endlessNonSSHLines)
        defer { server.stop() }
        var options = SSHSessionOptions()
        options.operationTimeout = .seconds(30)
        options.handshakeTimeout = .seconds(2)
        let started = ContinuousClock.now
        XCTAssertThrowsError(try SSHSession(connectingTo: SSHEndpoint(host: "127.0.0.1", port: server.port), options: options)) { error in
            let e = error as? SSHError
            XCTAssertEqual(e?.kind, .timeout, "\(error)")
            XCTAssertTrue("\(error)".contains("did not complete within 2 s"), "\(error)")
        }
        print("endless banner ended after \(started.duration(to: .now))")
    }
}
