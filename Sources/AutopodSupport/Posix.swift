internal import CLibSSH2  // MSG_DONTWAIT: the release build does not see it through Glibc alone

/// Thin wrappers over the file and socket calls autopod makes, so the rest reads as intent.
public enum Posix {
    public static func errorString(_ err: Int32 = errno) -> String {
        String(cString: strerror(err))
    }

    public static var streamSocketType: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue)
        #else
        SOCK_STREAM
        #endif
    }

    public static func setNonBlocking(_ fd: Int32, _ on: Bool = true) {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 else { return }
        _ = fcntl(fd, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    public static func setCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    public static func setIntOption(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32) {
        var v = value
        _ = setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size))
    }

    public static func setNoDelay(_ fd: Int32) {
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_NODELAY, 1)
    }

    /// Bounds how long a dead peer can go unnoticed: TCP keepalive probes an idle link, and
    /// TCP_USER_TIMEOUT aborts the connection when sent data stays unacknowledged (Linux).
    ///
    /// `unackedLimit` is shorter than the overall `deadline` by one keepalive interval: the SSH
    /// keepalive that first goes unanswered may be sent up to one interval after the link died.
    /// TCP keepalive counts whole seconds, so the deadline is rounded to them.
    public static func setDeadPeerDetection(_ fd: Int32, deadline: Duration, unackedLimit: Duration) {
        setIntOption(fd, SOL_SOCKET, SO_KEEPALIVE, 1)
        #if os(Linux)
        let seconds = Int32(clamping: deadline.wholeSeconds)
        let idle = max(1, seconds / 2)
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_KEEPIDLE, idle)
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_KEEPINTVL, max(1, (seconds - idle) / 3))
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_KEEPCNT, 3)
        setIntOption(fd, Int32(IPPROTO_TCP), TCP_USER_TIMEOUT, max(Duration.seconds(2), unackedLimit).pollMilliseconds)
        #endif
    }

    /// Bytes waiting in the socket's receive queue (up to 64 KiB), without consuming them.
    /// Half-closes a socket: the peer reads end-of-file, and can still answer. (Here because
    /// Glibc's `SHUT_WR` is not always visible through the re-export in optimised builds.)
    public static func shutdownSending(_ fd: Int32) {
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    public static func unreadBytes(_ fd: Int32) -> Int {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_PEEK | MSG_DONTWAIT)) }
        return max(0, n)
    }

    /// Bytes written to a TCP socket that its peer has not taken yet (sent but unacknowledged,
    /// or not sent because the peer's window is closed): on loopback, what the reader left unread
    /// beyond its own receive buffer. 0 where the platform cannot tell.
    public static func unsentBytes(_ fd: Int32) -> Int {
        #if os(Linux)
        var queued: Int32 = 0
        guard ioctl(fd, UInt(TIOCOUTQ), &queued) == 0 else { return 0 }
        return Int(queued)
        #else
        return 0
        #endif
    }

    /// Whether the other end of a socket has gone: it closed or reset the connection, so a
    /// read would give end-of-file or an error. Nothing waiting to be read, or bytes waiting,
    /// means it is still there.
    public static func peerHasClosed(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if n == 0 { return true }
        return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR
    }

    public static func socketError(_ fd: Int32) -> Int32 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 else { return errno }
        return err
    }

    /// Writes everything or reports the errno; used for caller-supplied output fds, which may be
    /// blocking (a terminal, a file) — a blocked write is the consumer's backpressure.
    public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
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

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        bytes.withUnsafeBytes { writeAll(fd, $0) }
    }
}
