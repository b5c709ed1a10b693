import AutopodSupport
internal import CLibSSH2

/// Owns one libssh2 channel. Holds its session strongly, because a channel freed after its
/// session is a use-after-free inside libssh2.
final class SSHChannel {
    let session: SSHSession
    let raw: OpaquePointer
    private var closeSent = false

    init(session: SSHSession, raw: OpaquePointer) {
        self.session = session
        self.raw = raw
    }

    deinit {
        // channel_free sends CHANNEL_CLOSE if not yet sent and then waits for the server's: on
        // a non-blocking session that is EAGAIN, and the session finishes the free later
        // rather than anyone waiting a round trip here (the event loop thread, or an exit).
        if session.isDead { return }
        if libssh2_channel_free(raw) == LibSSH2.eagain { session.freeLater(raw) }
    }

    enum IOResult: Equatable {
        case bytes(Int)
        case wouldBlock
        /// Read returned 0: EOF if `isEOF`, else simply nothing available.
        case none
        case failed(Int32)
    }

    func read(stream: Int32, into buffer: UnsafeMutableRawBufferPointer) -> IOResult {
        let n = libssh2_channel_read_ex(raw, stream, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count)
        if n > 0 { return .bytes(n) }
        if n == 0 { return .none }
        if n == LibSSH2.eagain { return .wouldBlock }
        return .failed(Int32(n))
    }

    /// Writes nothing while the session's outbox is full: the socket is not taking data, and
    /// holding back here is what keeps the outbox small (backpressure).
    func write(stream: Int32 = 0, _ buffer: UnsafeRawBufferPointer) -> IOResult {
        if session.outbox.isFull { return .wouldBlock }
        let n = libssh2_channel_write_ex(raw, stream, buffer.baseAddress!.assumingMemoryBound(to: CChar.self), buffer.count)
        if n > 0 { return .bytes(n) }
        if n == 0 || n == LibSSH2.eagain { return .wouldBlock }
        return .failed(Int32(n))
    }

    /// Window the server may still use plus what it sent that has not been read from libssh2:
    /// libssh2 counts its receive window down as data is read, not as it arrives. Constant time
    /// (the byte count of queued data, libssh2_channel_window_read_ex's read_avail, walks every
    /// packet of the session, so it is not asked for).
    var receiveCredit: Int { Int(libssh2_channel_window_read_ex(raw, nil, nil)) }

    /// Sends a WINDOW_ADJUST of `bytes` now. Returns 0, EAGAIN (call again with the same count:
    /// libssh2 adds the count of the call that completes), or an error code.
    func grantWindow(_ bytes: Int) -> Int32 {
        var window: UInt32 = 0
        return libssh2_channel_receive_window_adjust2(raw, UInt(bytes), 1, &window)
    }

    /// Returns 0 when sent, EAGAIN to retry, or an error code.
    func sendEOF() -> Int32 { libssh2_channel_send_eof(raw) }

    var isEOF: Bool { libssh2_channel_eof(raw) == 1 }

    /// Whether libssh2 already holds data for this channel (taken off the socket while it read
    /// for another channel or processed a write); answered without touching the socket.
    var hasQueuedData: Bool { libssh2_poll_channel_read(raw, 0) == 1 }

    /// Non-blocking close handshake step: 0 once CHANNEL_CLOSE is sent, EAGAIN to retry.
    func close() -> Int32 {
        if closeSent { return 0 }
        let rc = libssh2_channel_close(raw)
        if rc != LibSSH2.eagain { closeSent = true }
        return rc
    }

    func waitClosed() -> Int32 { libssh2_channel_wait_closed(raw) }

    var exitStatus: Int32 { libssh2_channel_get_exit_status(raw) }

    /// The signal name (without "SIG") if the remote process was killed by one.
    var exitSignal: String? {
        var sig: UnsafeMutablePointer<CChar>?
        var sigLen = 0
        guard libssh2_channel_get_exit_signal(raw, &sig, &sigLen, nil, nil, nil, nil) == 0, let sig else { return nil }
        defer { libssh2_free(session.raw, sig) }
        return sigLen > 0 ? String(cString: sig) : nil
    }

    /// Opens a "session" channel; blocking or not as the session currently is.
    static func openSession(_ session: SSHSession, window: UInt32 = LibSSH2.defaultWindow) throws(SSHError) -> SSHChannel {
        while true {
            if let ch = libssh2_channel_open_ex(session.raw, "session", 7, window, LibSSH2.defaultPacket, nil, 0) {
                return SSHChannel(session: session, raw: ch)
            }
            let code = session.lastErrorCode
            if code == LibSSH2.eagain {
                session.waitSocket(milliseconds: 1000)
                continue
            }
            throw session.error(.channel, "The server refused to open a session channel.", code: code)
        }
    }

    /// Runs a channel request step until it stops saying EAGAIN.
    func retrying(_ body: () -> Int32) -> Int32 {
        while true {
            let rc = body()
            if rc != LibSSH2.eagain { return rc }
            session.waitSocket(milliseconds: 1000)
        }
    }
}

extension SSHSession {
    /// Waits for the SSH socket in the directions libssh2 last asked for (used outside the
    /// event loop, for short setup steps).
    func waitSocket(milliseconds: Int32) {
        _ = outbox.flush()  // a failure shows in the next libssh2 call
        var events = blockedEvents
        if events == 0 { events = Int16(POLLIN) }
        var p = pollfd(fd: socketFD, events: events, revents: 0)
        _ = poll(&p, 1, milliseconds)
    }
}
