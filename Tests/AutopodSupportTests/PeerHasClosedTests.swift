import XCTest

import AutopodSupport

#if canImport(Glibc)
import Glibc
#endif

/// `Posix.peerHasClosed` over real loopback TCP: what tells a server that went away from one
/// that is still there (quiet, or with bytes waiting).
final class PeerHasClosedTests: XCTestCase {
    func testAQuietPeerOrOneWithBytesWaitingIsStillThere() throws {
        let (client, server) = try connectedPair()
        defer { close(client); close(server) }
        XCTAssertFalse(Posix.peerHasClosed(client))
        XCTAssertEqual(Posix.writeAll(server, Array("hello".utf8)), nil)
        try waitReadable(client)
        XCTAssertFalse(Posix.peerHasClosed(client))
        XCTAssertEqual(Posix.unreadBytes(client), 5, "the check must not take the bytes")
    }

    func testAPeerThatClosedOrResetIsGone() throws {
        let (client, server) = try connectedPair()
        defer { close(client) }
        close(server)
        try waitReadable(client)
        XCTAssertTrue(Posix.peerHasClosed(client))

        let (other, reset) = try connectedPair()
        defer { close(other) }
        // Linger 0: close sends a reset instead of an orderly end.
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        XCTAssertEqual(setsockopt(reset, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size)), 0)
        close(reset)
        try waitReadable(other)
        XCTAssertTrue(Posix.peerHasClosed(other))
        XCTAssertTrue(Posix.peerHasClosed(other), "still gone once the reset was read")
    }

    private func waitReadable(_ fd: Int32) throws {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&p, 1, 5000), 1, "nothing arrived within 5 s")
    }

    /// A loopback TCP connection: (client end, server end).
    private func connectedPair() throws -> (Int32, Int32) {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                guard bind(listener, raw, length) == 0, listen(listener, 1) == 0, getsockname(listener, raw, &length) == 0 else {
                    throw POSIXError(.EADDRNOTAVAIL)
                }
            }
        }
        let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
        }
        XCTAssertEqual(connected, 0)
        let server = accept(listener, nil, nil)
        XCTAssertGreaterThanOrEqual(server, 0)
        return (client, server)
    }
}
