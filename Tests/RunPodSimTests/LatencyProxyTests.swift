import AutopodSupport
import Foundation
import XCTest

@testable import RunPodSim

/// The pod endpoint's delay line on its own, against a loopback server the test runs: every byte
/// is held back by the configured delay in each direction, and a bulk stream both ways arrives
/// whole and in order.
final class LatencyProxyTests: XCTestCase {
    private static let delayMs = 30

    func testEachDirectionIsDelayedByTheConfiguredTime() throws {
        let server = try LoopbackServer(echo: false)
        defer { server.stop() }
        let proxy = try LatencyProxy(targetHost: "127.0.0.1", targetPort: server.port)
        defer { proxy.stop() }
        proxy.latencyMs = Self.delayMs
        let client = try XCTUnwrap(Sockets.connect(host: "127.0.0.1", port: proxy.port, timeout: 5))
        defer { close(client) }

        for _ in 0..<5 {
            // Client → server: the server notes when the byte came in.
            let sentAt = ContinuousClock.now
            XCTAssertTrue(send(client, [UInt8(1)], 1, Int32(MSG_NOSIGNAL)) == 1)
            let arrivedAt = try XCTUnwrap(server.nextArrival(), "the byte never reached the server")
            XCTAssertGreaterThanOrEqual(arrivedAt - sentAt, .milliseconds(Self.delayMs), "client → server was not delayed")

            // Server → client: the server's answer is timed from when it was sent.
            let answeredAt = server.answer()
            var byte: UInt8 = 0
            XCTAssertEqual(recv(client, &byte, 1, 0), 1)
            XCTAssertGreaterThanOrEqual(ContinuousClock.now - answeredAt, .milliseconds(Self.delayMs), "server → client was not delayed")
        }
    }

    func testABulkStreamBothWaysArrivesWholeAndInOrder() throws {
        let server = try LoopbackServer(echo: true)
        defer { server.stop() }
        let proxy = try LatencyProxy(targetHost: "127.0.0.1", targetPort: server.port)
        defer { proxy.stop() }
        proxy.latencyMs = Self.delayMs
        let client = try XCTUnwrap(Sockets.connect(host: "127.0.0.1", port: proxy.port, timeout: 5))
        defer { close(client) }

        // 16 MiB of a pattern that repeats only every 251 bytes, so a lost, repeated or swapped
        // chunk of any power-of-two size shows.
        let block = (0..<251).map { UInt8($0) }
        let pattern = Array(repeatElement(block, count: 16 * 1024 * 1024 / 251).joined())
        let writer = Thread {
            _ = pattern.withUnsafeBytes { Sockets.writeAll(client, $0) }
            shutdown(client, Int32(SHUT_WR))
        }
        writer.start()
        var received = [UInt8](repeating: 0, count: pattern.count + 1)
        var count = 0
        Sockets.setReceiveTimeout(client, seconds: 30)
        while count < received.count {
            let n = received.withUnsafeMutableBytes { recv(client, $0.baseAddress! + count, $0.count - count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            count += n
        }
        XCTAssertEqual(count, pattern.count, "the echo ended early or ran long")
        let same = received.withUnsafeBytes { r in pattern.withUnsafeBytes { p in memcmp(r.baseAddress!, p.baseAddress!, p.count) == 0 } }
        XCTAssertTrue(same, "the stream that came back differs from what was sent")
    }
}

/// A TCP server on 127.0.0.1 for one connection: either an echo, or a peer that notes when each
/// byte arrives and answers one byte when told to.
private final class LoopbackServer: Sendable {
    let port: UInt16
    private let listenFD: Int32
    private struct State {
        var connection: Int32?
        var arrivals: [ContinuousClock.Instant] = []
    }
    private let state = LockedValue(State())

    init(echo: Bool) throws {
        listenFD = try Sockets.listen(host: "127.0.0.1", port: 0)
        port = Sockets.localPort(listenFD)
        let thread = Thread { [self] in serve(echo: echo) }
        thread.start()
    }

    private func serve(echo: Bool) {
        let fd = accept(listenFD, nil, nil)
        guard fd >= 0 else { return }
        Sockets.setNoDelay(fd)
        state.withLock { $0.connection = fd }
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            if echo {
                guard buffer.withUnsafeBytes({ Sockets.writeAll(fd, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) else { break }
            } else {
                let now = ContinuousClock.now
                state.withLock { $0.arrivals.append(contentsOf: repeatElement(now, count: n)) }
            }
        }
        shutdown(fd, Int32(SHUT_WR))
    }

    /// When the next byte arrived, waiting up to 10 s for it.
    func nextArrival() -> ContinuousClock.Instant? {
        let deadline = Deadline.after(.seconds(10))
        while !deadline.hasPassed {
            if let first = state.withLock({ $0.arrivals.isEmpty ? nil : $0.arrivals.removeFirst() }) { return first }
            Sleep.for(.milliseconds(1))
        }
        return nil
    }

    /// Sends one byte to the client; returns when it was sent.
    func answer() -> ContinuousClock.Instant {
        let fd = state.withLock { $0.connection } ?? -1
        let now = ContinuousClock.now
        _ = send(fd, [UInt8(2)], 1, Int32(MSG_NOSIGNAL))
        return now
    }

    func stop() {
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        if let fd = state.withLock({ $0.connection }) {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }
}
