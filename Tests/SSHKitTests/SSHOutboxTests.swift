import AutopodSupport
import XCTest
@testable import SSHKit

/// The session's socket callbacks, on a socket pair: the receive allowance makes libssh2 see an
/// empty socket once it is spent, while the bytes stay there for poll() and the next pass.
final class SSHOutboxTests: XCTestCase {
    private var fds: [Int32] = [-1, -1]

    override func setUpWithError() throws {
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw XCTSkip("socketpair failed: \(errno)") }
        _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
    }

    override func tearDown() {
        fds.forEach { close($0) }
    }

    private func send(_ count: Int) {
        let bytes = [UInt8](repeating: 7, count: count)
        XCTAssertEqual(bytes.withUnsafeBytes { Libc.send(fds[1], $0.baseAddress, count, 0) }, count)
    }

    private func receive(_ outbox: SSHOutbox, _ length: Int) -> Int {
        var buffer = [UInt8](repeating: 0, count: length)
        return buffer.withUnsafeMutableBytes { outbox.receive($0.baseAddress, length, flags: 0) }
    }

    private func isReadable() -> Bool {
        var p = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) == 1 && p.revents & Int16(POLLIN) != 0
    }

    func testASpentAllowanceLooksLikeAnEmptySocketButLeavesTheBytesReadable() {
        let outbox = SSHOutbox(fd: fds[0])
        outbox.blocking = false
        send(100)
        outbox.receiveAllowance = 30
        XCTAssertEqual(receive(outbox, 40), 40, "a read the allowance covers at its start is whole")
        XCTAssertEqual(receive(outbox, 40), -Int(EAGAIN), "spent: libssh2 is told the socket is empty")
        XCTAssertTrue(isReadable(), "the bytes are still there for poll()")
        outbox.receiveAllowance = 30
        XCTAssertEqual(receive(outbox, 40), 40)
        outbox.receiveAllowance = nil
        XCTAssertEqual(receive(outbox, 40), 20)
        XCTAssertEqual(receive(outbox, 40), -Int(EAGAIN), "really empty")
        XCTAssertEqual(outbox.received, 100)
    }

    func testBlockingModeIgnoresTheAllowance() {
        // libssh2 waits for readability and retries on its own in blocking mode: an allowance
        // there would make it spin on a socket poll() calls readable.
        let outbox = SSHOutbox(fd: fds[0])
        outbox.blocking = true
        send(50)
        outbox.receiveAllowance = 0
        XCTAssertEqual(receive(outbox, 64), 50)
    }

    func testAClosedPeerReadsAsEndOfStream() {
        let outbox = SSHOutbox(fd: fds[0])
        outbox.blocking = false
        close(fds[1])
        fds[1] = -1
        XCTAssertEqual(receive(outbox, 16), 0)
    }
}
