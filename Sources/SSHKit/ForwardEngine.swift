import AutopodSupport
internal import CLibSSH2
import Logging

/// A local client waiting for its channel, or carried by one.
final class ForwardConnection {
    let fd: Int32
    let listener: ForwardListener
    let originHost: String
    let originPort: Int
    let acceptedAt: ContinuousClock.Instant
    var channel: SSHChannel?
    /// Bytes read from one side that the other has not taken yet. While a buffer is non-empty
    /// its source is not read (swift-nio GlueHandler style backpressure).
    var toRemote: [UInt8] = []
    var toRemoteOffset = 0
    var toLocal: [UInt8] = []
    var toLocalOffset = 0
    var localEOF = false
    var eofSentToRemote = false
    var remoteEOF = false
    var shutdownSentToLocal = false
    var localSlot: Int?
    var failed = false

    init(fd: Int32, listener: ForwardListener, originHost: String, originPort: Int, acceptedAt: ContinuousClock.Instant) {
        self.fd = fd
        self.listener = listener
        self.originHost = originHost
        self.originPort = originPort
        self.acceptedAt = acceptedAt
    }

    deinit {
        close(fd)
    }

    var isDone: Bool {
        failed || (eofSentToRemote && shutdownSentToLocal)
    }

    /// The RFC 4254 §7.2 "direct-tcpip" open payload, built here (rather than through
    /// libssh2_channel_direct_tcpip_ex) so the channel window can be chosen.
    var openPayload: [UInt8] {
        var p: [UInt8] = []
        SSHWire.appendString(&p, Array(listener.spec.remoteHost.utf8))
        SSHWire.appendUInt32(&p, UInt32(listener.spec.remotePort))
        SSHWire.appendString(&p, Array(originHost.utf8))
        SSHWire.appendUInt32(&p, UInt32(originPort))
        return p
    }
}

/// Carries a forwarder's connections over one session, inside that session's event loop.
final class ForwardEngine: SSHLoopParticipant {
    let session: SSHSession
    let forwarder: PortForwarder
    private var listenerSlots: [Int] = []
    /// Accepted clients waiting for a channel. libssh2 keeps one channel-open in flight per
    /// session (its open_state), so only the head is being opened.
    private(set) var queue: [ForwardConnection] = []
    private var openPayload: [UInt8]?
    private(set) var active: [ForwardConnection] = []
    /// Channels whose CHANNEL_CLOSE still has to be sent (EAGAIN).
    private var closing: [SSHChannel] = []
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    init(session: SSHSession, forwarder: PortForwarder, waiting: [ForwardConnection]) {
        self.session = session
        self.forwarder = forwarder
        self.queue = waiting
    }

    var isFinished: Bool { false }
    var hasChannels: Bool { !active.isEmpty || !closing.isEmpty || !queue.isEmpty }
    var nextDeadline: ContinuousClock.Instant? { nil }

    func register(_ set: inout PollSet) {
        listenerSlots = forwarder.listeners.map { set.add($0.fd, Int16(POLLIN)) }
        for c in active {
            var events: Int16 = 0
            if !c.localEOF && c.toRemoteOffset >= c.toRemote.count { events |= Int16(POLLIN) }
            if c.toLocalOffset < c.toLocal.count { events |= Int16(POLLOUT) }
            c.localSlot = events == 0 ? nil : set.add(c.fd, events)
        }
    }

    func service(_ set: PollSet, now: ContinuousClock.Instant) throws(SSHError) {
        for (i, listener) in forwarder.listeners.enumerated() where set.isReadable(listenerSlots[safe: i]) {
            while let client = listener.accept() {
                forwarder.updateStats(listener.index) {
                    $0.totalConnections += 1
                    $0.activeConnections += 1
                }
                queue.append(ForwardConnection(fd: client.fd, listener: listener, originHost: client.host, originPort: client.port, acceptedAt: now))
            }
        }
        try openQueued()
        for c in active {
            try pump(c, set)
        }
        active.removeAll { c in
            guard c.isDone else { return false }
            retire(c)
            return true
        }
        closing.removeAll { $0.close() != LibSSH2.eagain }
    }

    private func openQueued() throws(SSHError) {
        let me = ObjectIdentifier(self)
        while let head = queue.first {
            // The session's one channel-open slot may be taken by the liveness probe.
            if let owner = session.channelOpenOwner, owner != me { return }
            session.channelOpenOwner = me
            let payload = openPayload ?? head.openPayload
            openPayload = payload
            let window = forwarder.window
            let raw = payload.withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { chars in
                    libssh2_channel_open_ex(session.raw, "direct-tcpip", 12, window, LibSSH2.defaultPacket, chars.baseAddress, UInt32(chars.count))
                }
            }
            if let raw {
                openPayload = nil
                session.channelOpenOwner = nil
                session.lastInbound = .now
                queue.removeFirst()
                head.channel = SSHChannel(session: session, raw: raw)
                active.append(head)
                continue
            }
            let code = session.lastErrorCode
            if code == LibSSH2.eagain { return }
            openPayload = nil
            session.channelOpenOwner = nil
            session.lastInbound = .now
            if LibSSH2.isTransportFailure(code) {
                throw session.error(.disconnected, "The connection was lost while opening a forwarded channel.", code: code)
            }
            // Only this client is affected: typically nothing listens on the remote port yet.
            queue.removeFirst()
            let why = session.lastErrorMessage.isEmpty ? "channel open failed" : session.lastErrorMessage
            let reason = "the server could not connect to \(head.listener.spec.remoteHost):\(head.listener.spec.remotePort) (\(why), libssh2 \(code))"
            forwarder.refused(head, reason: reason)
        }
    }

    /// Moves data both ways until neither side can make progress.
    private func pump(_ c: ForwardConnection, _ set: PollSet) throws(SSHError) {
        guard let channel = c.channel, !c.failed else { return }
        var localReadable = set.isReadable(c.localSlot)
        var progress = true
        while progress && !c.failed {
            progress = false
            // local → remote
            if c.toRemoteOffset < c.toRemote.count {
                let r = c.toRemote.withUnsafeBytes { channel.write(UnsafeRawBufferPointer(rebasing: $0[c.toRemoteOffset...])) }
                switch r {
                case .bytes(let n):
                    c.toRemoteOffset += n
                    forwarder.updateStats(c.listener.index) { $0.bytesToRemote += UInt64(n) }
                    progress = true
                case .failed(let code):
                    try channelFailed(c, code)
                    return
                default: break
                }
            } else if !c.localEOF && localReadable {
                let n = buffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 {
                    c.toRemote = Array(buffer[0..<n])
                    c.toRemoteOffset = 0
                    progress = true
                    // A short read emptied the socket; poll() says when more arrives, which
                    // spares a recv() that would only answer EAGAIN.
                    if n < buffer.count { localReadable = false }
                } else if n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                    c.localEOF = true
                    progress = true
                } else {
                    localReadable = false
                }
            }
            if c.localEOF && !c.eofSentToRemote && c.toRemoteOffset >= c.toRemote.count {
                let rc = channel.sendEOF()
                if rc == 0 || (rc != LibSSH2.eagain && !LibSSH2.isTransportFailure(rc)) {
                    c.eofSentToRemote = true
                    progress = true
                } else if rc != LibSSH2.eagain {
                    try channelFailed(c, rc)
                    return
                }
            }
            // remote → local
            if c.toLocalOffset < c.toLocal.count {
                let n = c.toLocal.withUnsafeBytes { raw in
                    send(c.fd, raw.baseAddress! + c.toLocalOffset, raw.count - c.toLocalOffset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
                }
                if n > 0 {
                    c.toLocalOffset += n
                    forwarder.updateStats(c.listener.index) { $0.bytesToLocal += UInt64(n) }
                    progress = true
                } else if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                    // The local client went away: nothing more can be delivered.
                    forwarder.logger.info("local client gone", metadata: ["forward": "\(c.listener.spec)", "errno": "\(errno)"])
                    c.failed = true
                    return
                }
            } else if !c.remoteEOF {
                // libssh2 reads the socket until EAGAIN on every channel read, so a read is worth
                // its syscalls only when the socket has news or data is already queued here.
                if session.socketReady || channel.hasQueuedData {
                    let r = buffer.withUnsafeMutableBytes { channel.read(stream: 0, into: $0) }
                    session.socketReady = false
                    switch r {
                    case .bytes(let n):
                        session.lastInbound = .now
                        c.toLocal = Array(buffer[0..<n])
                        c.toLocalOffset = 0
                        progress = true
                    case .none, .wouldBlock:
                        if channel.isEOF {
                            c.remoteEOF = true
                            progress = true
                        }
                    case .failed(let code):
                        try channelFailed(c, code)
                        return
                    }
                } else if channel.isEOF {
                    // An EOF an earlier read (for any channel) took off the socket.
                    c.remoteEOF = true
                    progress = true
                }
            }
            if c.remoteEOF && !c.shutdownSentToLocal && c.toLocalOffset >= c.toLocal.count {
                shutdown(c.fd, Int32(SHUT_WR))
                c.shutdownSentToLocal = true
                progress = true
            }
        }
    }

    private func channelFailed(_ c: ForwardConnection, _ code: Int32) throws(SSHError) {
        if LibSSH2.isTransportFailure(code) {
            throw session.error(.disconnected, "The connection was lost while forwarding \(c.listener.spec).", code: code)
        }
        // The remote end closed the channel outright; the local client gets EOF.
        forwarder.logger.info("forwarded channel ended", metadata: ["forward": "\(c.listener.spec)", "code": "\(code)", "message": "\(session.lastErrorMessage)"])
        c.failed = true
    }

    private func retire(_ c: ForwardConnection) {
        forwarder.updateStats(c.listener.index) { $0.activeConnections -= 1 }
        if let ch = c.channel {
            if ch.close() == LibSSH2.eagain { closing.append(ch) }
            c.channel = nil
        }
    }

    /// The session died: every carried client is closed (its stream cannot be resumed), and
    /// clients still waiting for a channel are handed back to wait for the next session.
    func abandon() -> [ForwardConnection] {
        for c in active {
            forwarder.updateStats(c.listener.index) { $0.activeConnections -= 1 }
            c.channel = nil
        }
        active = []
        closing = []
        let waiting = queue
        queue = []
        openPayload = nil
        if session.channelOpenOwner == ObjectIdentifier(self) { session.channelOpenOwner = nil }
        return waiting
    }
}

extension Array {
    subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}
