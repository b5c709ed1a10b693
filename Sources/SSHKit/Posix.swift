#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CLibSSH2  // MSG_DONTWAIT: the release build does not see it through Glibc alone

/// Thin wrappers over the socket calls SSHKit makes, so the rest reads as intent.
enum Posix {
    static func errorString(_ err: Int32 = errno) -> String {
        String(cString: strerror(err))
    }

    static var streamSocketType: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue)
        #else
        SOCK_STREAM
        #endif
    }

    static func setNonBlocking(_ fd: Int32, _ on: Bool = true) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { return }
        _ = fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    static func setCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    static func setIntOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var v = value
        _ = setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    static func setNoDelay(_ fd: Int32) {
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Bounds how long a dead peer can go unnoticed: TCP keepalive probes an idle link, and
    /// TCP_USER_TIMEOUT aborts the connection when sent data stays unacknowledged (Linux).
    ///
    /// `unackedLimit` is shorter than the overall deadline by one keepalive interval: the SSH
    /// keepalive that first goes unanswered may be sent up to one interval after the link died.
    static func setDeadPeerDetection(_ fd: Int32, seconds: Int32, unackedLimit: Int32) {
        setIntOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
        #if os(Linux)
        let idle = max(1, seconds / 2)
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, idle)
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, max(1, (seconds - idle) / 3))
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, 3)
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, max(2, unackedLimit) * 1000)
        #endif
    }

    /// Bytes waiting in the socket's receive queue (up to 64 KiB), without consuming them.
    static func unreadBytes(_ fd: Int32) -> Int {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_PEEK | MSG_DONTWAIT)) }
        return max(0, n)
    }

    /// Bytes written to a TCP socket that its peer has not taken yet (sent but unacknowledged,
    /// or not sent because the peer's window is closed): on loopback, what the reader left unread
    /// beyond its own receive buffer. 0 where the platform cannot tell.
    static func unsentBytes(_ fd: Int32) -> Int {
        #if os(Linux)
        var queued: Int32 = 0
        guard ioctl(fd, UInt(TIOCOUTQ), &queued) == 0 else { return 0 }
        return Int(queued)
        #else
        return 0
        #endif
    }

    static func socketError(_ fd: Int32) -> Int32 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 else { return errno }
        return err
    }

    /// Monotonic seconds, for deadlines that must not jump with the wall clock.
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Writes everything or reports the errno; used for caller-supplied output fds, which may be
    /// blocking (a terminal, a file) — a blocked write is the consumer's backpressure.
    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
        var offset = 0
        while offset < buffer.count {
            let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&p, 1, 1000)
            } else {
                return n < 0 ? errno : EIO
            }
        }
        return nil
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }

    /// Opens a TCP connection with a deadline (non-blocking connect + poll), trying every
    /// address the name resolves to.
    static func connectTCP(host: String, port: Int, timeout: Double) throws(SSHError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamSocketType
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw SSHError(
                .connect,
                "Cannot resolve \(host): \(String(cString: gai_strerror(rc))). Check the host name and your network.")
        }
        defer { freeaddrinfo(list) }
        let deadline = now() + timeout
        var lastError = "no address"
        var timedOut = false
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd < 0 { lastError = errorString(); continue }
            setCloseOnExec(fd)
            setNonBlocking(fd)
            var result = connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                var ready: Int32 = -1
                repeat {
                    let remainingMs = Int32(max(0, (deadline - now()) * 1000))
                    ready = poll(&p, 1, remainingMs)
                } while ready < 0 && errno == EINTR
                if ready == 0 {
                    timedOut = true
                    lastError = "timed out"
                    close(fd)
                    continue
                }
                let soError = socketError(fd)
                result = soError == 0 ? 0 : -1
                if soError != 0 { errno = soError }
            }
            if result == 0 {
                return fd
            }
            lastError = errorString()
            close(fd)
        }
        if timedOut {
            throw SSHError(
                .timeout,
                "Connecting to \(host):\(port) timed out after \(Int(timeout)) s. The pod may still be starting; try again shortly.")
        }
        throw SSHError(
            .connect,
            "Cannot connect to \(host):\(port): \(lastError). The pod may be stopped or its SSH port not yet open.")
    }
}

/// A pipe whose only job is to wake a `poll()`: signal handlers and other threads write a byte.
/// Both ends are non-blocking so a full pipe never blocks the writer (one pending byte is enough).
final class WakePipe: @unchecked Sendable {
    let readFD: Int32
    let writeFD: Int32

    init() throws(SSHError) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            throw SSHError(.io, "Cannot create a pipe: \(Posix.errorString()).")
        }
        readFD = fds[0]
        writeFD = fds[1]
        for fd in fds {
            Posix.setNonBlocking(fd)
            Posix.setCloseOnExec(fd)
        }
    }

    func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    func drain() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buf, buf.count) > 0 {}
    }

    deinit {
        close(readFD)
        close(writeFD)
    }
}
