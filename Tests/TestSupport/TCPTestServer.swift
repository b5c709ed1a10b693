import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP server for forwarding tests, one thread per connection.
public final class TCPTestServer: @unchecked Sendable {
    public enum Mode: Sendable {
        /// Sends back everything it receives; closes after the client's EOF.
        case echo
        /// Reads until the client's EOF, then replies "got N" and closes (tests half-close).
        case countThenReply
        /// A hostile SSH server: sends lines that are not an SSH banner until the client leaves.
        case endlessNonSSHLines
        /// Sends without end, as fast as the connection takes it, until the client goes away.
        case flood
    }

    public let port: Int
    private let fd: Int32
    private let mode: Mode
    private let lock = NSLock()
    private var stopped = false

    public init(mode: Mode, port: Int = 0) throws {
        self.mode = mode
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        fd = sock
        var one: Int32 = 1
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                bind(sock, sa, len) == 0 && listen(sock, 128) == 0 && getsockname(sock, sa, &len) == 0
            }
        }
        guard ok else { throw FixtureError("test server cannot listen: \(String(cString: strerror(errno)))") }
        self.port = Int(UInt16(bigEndian: addr.sin_port))
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit {
        stop()
    }

    public func stop() {
        lock.lock()
        let was = stopped
        stopped = true
        lock.unlock()
        if !was {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    private func acceptLoop() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                return
            }
            let mode = self.mode
            Thread { Self.serve(client, mode) }.start()
        }
    }

    private static func serve(_ fd: Int32, _ mode: Mode) {
        defer { close(fd) }
        if mode == .endlessNonSSHLines {
            let line = Array("220 not an ssh server, keep reading\r\n".utf8)
            // Blocks while the client's buffer is full; ends when the client goes.
            while send(fd, line, line.count, Int32(MSG_NOSIGNAL)) > 0 {}
            return
        }
        var buf = [UInt8](repeating: 0, count: 65536)
        if mode == .flood {
            while buf.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) > 0 {}
            return
        }
        var total = 0
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            total += n
            if mode == .echo {
                var off = 0
                while off < n {
                    let w = buf.withUnsafeBytes { send(fd, $0.baseAddress! + off, n - off, Int32(MSG_NOSIGNAL)) }
                    if w <= 0 { return }
                    off += w
                }
            }
        }
        if mode == .countThenReply {
            let reply = Array("got \(total)".utf8)
            _ = send(fd, reply, reply.count, Int32(MSG_NOSIGNAL))
        }
    }
}

/// Deterministic bytes for transfer tests: the same seed gives the same stream on both sides.
public struct TestByteStream {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    }

    public mutating func fill(_ buffer: inout [UInt8], count: Int) {
        buffer.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in 0..<(count + 7) / 8 where i < words.count {
                state ^= state << 13
                state ^= state >> 7
                state ^= state << 17
                words[i] = state
            }
        }
    }
}

/// Sends `total` bytes of stream `seed` on fd while reading them back and checking every byte.
/// Returns nil on success or a description of the first problem.
public func echoRoundTrip(fd: Int32, seed: UInt64, total: Int, chunk: Int = 65536) -> String? {
    let sender = Thread {
        var gen = TestByteStream(seed: seed)
        var buf = [UInt8](repeating: 0, count: chunk)
        var sent = 0
        while sent < total {
            let n = min(chunk, total - sent)
            gen.fill(&buf, count: n)
            var off = 0
            while off < n {
                let w = buf.withUnsafeBytes { send(fd, $0.baseAddress! + off, n - off, Int32(MSG_NOSIGNAL)) }
                if w <= 0 { return }
                off += w
            }
            sent += n
        }
        shutdown(fd, Int32(SHUT_WR))
    }
    sender.start()
    var gen = TestByteStream(seed: seed)
    var expected = [UInt8](repeating: 0, count: chunk)
    var expectedFill = 0
    var expectedPos = 0
    var received = 0
    var buf = [UInt8](repeating: 0, count: chunk)
    while received < total {
        let n = read(fd, &buf, buf.count)
        if n <= 0 { return "stream ended after \(received) of \(total) bytes" }
        for i in 0..<n {
            if expectedPos == expectedFill {
                expectedFill = min(chunk, total - (received + i))
                gen.fill(&expected, count: expectedFill)
                expectedPos = 0
            }
            if buf[i] != expected[expectedPos] { return "byte \(received + i) differs" }
            expectedPos += 1
        }
        received += n
    }
    var extra: UInt8 = 0
    let tail = read(fd, &extra, 1)
    return tail == 0 ? nil : "expected EOF after \(total) bytes, read returned \(tail)"
}
