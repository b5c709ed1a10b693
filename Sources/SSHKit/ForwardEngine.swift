import AutopodSupport
internal import CLibSSH2
import Logging

/// A local client waiting for its channel, or carried by one.
final class ForwardConnection {
    let fd: Int32
    /// Which forward it came in on; not the listener itself, so a forward that is removed
    /// closes its port at once while its open connections finish.
    let listener: ForwardRoute
    let originHost: String
    let originPort: Int
    let acceptedAt: ContinuousClock.Instant
    var channel: SSHChannel?
    /// Bytes taken from one side that the other has not accepted yet. While one is non-empty its
    /// source is not read (swift-nio GlueHandler style backpressure). Empty, and unallocated,
    /// while both sides keep up: data then goes from the engine's one buffer straight through.
    var toRemote: [UInt8] = []
    var toRemoteOffset = 0
    var toLocal: [UInt8] = []
    var toLocalOffset = 0
    var window: ReceiveWindow
    /// A window grant libssh2 answered EAGAIN for: it must be repeated with the same count
    /// before anything else touches the channel's window.
    var grantPending: Int?
    var localEOF = false
    var eofSentToRemote = false
    var remoteEOF = false
    var shutdownSentToLocal = false
    var localSlot: Int?
    var failed = false

    init(fd: Int32, listener: ForwardRoute, originHost: String, originPort: Int, acceptedAt: ContinuousClock.Instant, window: ReceiveWindow) {
        self.fd = fd
        self.listener = listener
        self.originHost = originHost
        self.originPort = originPort
        self.acceptedAt = acceptedAt
        self.window = window
    }

    deinit {
        close(fd)
    }

    var isDone: Bool {
        failed || (eofSentToRemote && shutdownSentToLocal)
    }

    var heldForLocal: Int { toLocal.count - toLocalOffset }
    var heldForRemote: Int { toRemote.count - toRemoteOffset }

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
///
/// Memory: what the server sends ahead of a local reader waits here (in libssh2's packet queue,
/// or in a connection's `toLocal`), so each channel's window follows its reader
/// (`ReceiveWindow`) and all windows together stay within the forwarder's `ForwardBudget`.
/// After a burst the freed heap is handed back to the system (`HeapRelease`).
final class ForwardEngine: SSHLoopParticipant {
    let session: SSHSession
    let forwarder: PortForwarder
    private var listenerSlots: [Int?] = []
    /// The listeners `register` polled, so `service` reads the same ones even if a forward was
    /// added or removed meanwhile (a removed one's socket closes once this lets it go).
    private var polledListeners: [ForwardListener] = []
    /// Accepted clients waiting for a channel. libssh2 keeps one channel-open in flight per
    /// session (its open_state), so only the head is being opened.
    private(set) var queue: [ForwardConnection] = []
    private var openPayload: [UInt8]?
    private(set) var active: [ForwardConnection] = []
    /// Channels whose CHANNEL_CLOSE still has to be sent (EAGAIN).
    private var closing: [SSHChannel] = []
    /// Every read lands here first; only what a side cannot take at once is copied out.
    private var buffer = [UInt8](repeating: 0, count: ForwardEngine.readSize)
    private var budget: ForwardBudget
    private var heap = HeapRelease()

    /// One read from either side. libssh2 tops a window up to its initial size plus the read
    /// size, so this is also part of every channel's least window.
    static let readSize = 64 * 1024

    init(session: SSHSession, forwarder: PortForwarder, waiting: [ForwardConnection]) {
        self.session = session
        self.forwarder = forwarder
        self.queue = waiting
        budget = ForwardBudget(limit: forwarder.configuration.memoryBudget)
    }

    var isFinished: Bool { false }
    var hasChannels: Bool { !active.isEmpty || !closing.isEmpty || !queue.isEmpty }
    var nextDeadline: ContinuousClock.Instant? {
        ([heap.deadline] + forwarder.listeners.map(\.resumesAt)).compactMap { $0 }.min()
    }

    func register(_ set: inout PollSet) {
        let now = ContinuousClock.now
        polledListeners = forwarder.listeners
        // A listener resting after failed accepts stays out: it would be readable at once.
        listenerSlots = polledListeners.map { $0.isAccepting(at: now) ? set.add($0.fd, Int16(POLLIN)) : nil }
        for c in active {
            var events: Int16 = 0
            if !c.localEOF && c.heldForRemote == 0 { events |= Int16(POLLIN) }
            if c.heldForLocal > 0 { events |= Int16(POLLOUT) }
            c.localSlot = events == 0 ? nil : set.add(c.fd, events)
        }
    }

    func service(_ set: PollSet, now: ContinuousClock.Instant) throws(SSHError) {
        for (i, listener) in polledListeners.enumerated() where set.isReadable(listenerSlots[safe: i] ?? nil) {
            queue += forwarder.acceptWaiting(on: listener, now: now)
        }
        measureBudget()
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
        heap.tick(now: now)
    }

    /// What every channel holds of the budget right now.
    private func measureBudget() {
        var used = 0
        var unproven = 0
        for c in active {
            used += c.heldForLocal + (c.channel?.receiveCredit ?? 0)
            unproven += c.window.unproven
        }
        budget.used = used
        budget.unproven = unproven
        budget.channels = active.count
    }

    private func openQueued() throws(SSHError) {
        let me = ObjectIdentifier(self)
        while let head = queue.first {
            // The session's one channel-open slot may be taken by the liveness probe.
            if let owner = session.channelOpenOwner, owner != me { return }
            session.channelOpenOwner = me
            let payload = openPayload ?? head.openPayload
            openPayload = payload
            // Opened with the floor, which libssh2 then maintains by itself; the rest of the
            // start window is granted on top, so that it is not renewed unless earned.
            let window = UInt32(head.window.floor)
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
                let channel = SSHChannel(session: session, raw: raw)
                head.channel = channel
                active.append(head)
                budget.channels += 1
                budget.used += head.window.floor
                let config = forwarder.configuration
                head.window = ReceiveWindow(
                    floor: head.window.floor, ceiling: head.window.ceiling,
                    start: budget.startWindow(floor: head.window.floor, initial: config.initialWindow))
                budget.unproven += head.window.unproven
                try grant(head, channel)
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
        var localWritable = set.isWritable(c.localSlot)
        var progress = true
        while progress && !c.failed {
            progress = false
            // local → remote
            if c.heldForRemote > 0 {
                let r = c.toRemote.withUnsafeBytes { channel.write(UnsafeRawBufferPointer(rebasing: $0[c.toRemoteOffset...])) }
                switch r {
                case .bytes(let n):
                    c.toRemoteOffset += n
                    forwarder.updateStats(c.listener.index) { $0.bytesToRemote += UInt64(n) }
                    heap.moved(n)
                    if c.heldForRemote == 0 {
                        c.toRemote = []
                        c.toRemoteOffset = 0
                    }
                    progress = true
                case .failed(let code):
                    try channelFailed(c, code)
                    return
                default: break
                }
            } else if !c.localEOF && localReadable {
                let n = buffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 {
                    try sendToRemote(c, channel, count: n)
                    if c.failed { return }
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
            if c.localEOF && !c.eofSentToRemote && c.heldForRemote == 0 {
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
            if c.heldForLocal > 0 {
                // Only once poll() says the socket has room: until then a send() only says EAGAIN.
                if localWritable {
                    let n = c.toLocal.withUnsafeBytes { raw in
                        sendToLocal(c, UnsafeRawBufferPointer(rebasing: raw[c.toLocalOffset...]))
                    }
                    if c.failed { return }
                    c.toLocalOffset += n
                    if c.heldForLocal == 0 {
                        // Released, not kept: a connection's leftovers are the memory a slow
                        // reader pins, and most connections never need them again.
                        c.toLocal = []
                        c.toLocalOffset = 0
                        progress = true
                    } else {
                        localWritable = false
                    }
                }
            } else if !c.remoteEOF {
                if let pending = c.grantPending {
                    let rc = channel.grantWindow(pending)
                    if rc == LibSSH2.eagain { continue }
                    c.grantPending = nil
                    if rc != 0 {
                        try channelFailed(c, rc)
                        return
                    }
                }
                // libssh2 reads the socket until EAGAIN on every channel read, so a read is worth
                // its syscalls only when the socket has news or data is already queued here.
                if session.socketReady || channel.hasQueuedData {
                    let r = buffer.withUnsafeMutableBytes { channel.read(stream: 0, into: $0) }
                    session.socketReady = false
                    switch r {
                    case .bytes(let n):
                        session.lastInbound = .now
                        let sent = buffer.withUnsafeBytes { sendToLocal(c, UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
                        if c.failed { return }
                        if sent < n {
                            // Still within the budget: these bytes left the channel's window.
                            c.toLocal = Array(buffer[sent..<n])
                            c.toLocalOffset = 0
                            localWritable = false
                        } else {
                            try grant(c, channel)
                            if c.failed { return }
                        }
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
            if c.remoteEOF && !c.shutdownSentToLocal && c.heldForLocal == 0 {
                Posix.shutdownSending(c.fd)
                c.shutdownSentToLocal = true
                progress = true
            }
        }
    }

    /// Writes `count` bytes of `buffer` to the channel, as much as it takes now; the rest is kept.
    private func sendToRemote(_ c: ForwardConnection, _ channel: SSHChannel, count: Int) throws(SSHError) {
        var offset = 0
        while offset < count {
            let r = buffer.withUnsafeBytes { channel.write(UnsafeRawBufferPointer(rebasing: $0[offset..<count])) }
            guard case .bytes(let n) = r else {
                if case .failed(let code) = r {
                    try channelFailed(c, code)
                    return
                }
                break
            }
            offset += n
            forwarder.updateStats(c.listener.index) { $0.bytesToRemote += UInt64(n) }
            heap.moved(n)
        }
        if offset < count {
            c.toRemote = Array(buffer[offset..<count])
            c.toRemoteOffset = 0
        }
    }

    /// Hands bytes to the local client; returns how many it took. Whenever a window's worth has
    /// gone, the channel's window is judged by how much the reader left untaken.
    private func sendToLocal(_ c: ForwardConnection, _ bytes: UnsafeRawBufferPointer) -> Int {
        let n = send(c.fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        if n < 0 {
            if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                // The local client went away: nothing more can be delivered.
                forwarder.logger.info("local client gone", metadata: ["forward": "\(c.listener.spec)", "errno": "\(errno)"])
                c.failed = true
            }
            return 0
        }
        if n > 0 {
            forwarder.updateStats(c.listener.index) { $0.bytesToLocal += UInt64(n) }
            heap.moved(n)
            budget.used -= n
            if c.window.delivered(n) {
                let before = c.window.target
                let unread = Posix.unsentBytes(c.fd) + bytes.count - n
                c.window.judge(unread: unread)
                if c.window.target != before {
                    forwarder.logger.debug(
                        "window", metadata: ["forward": "\(c.listener.spec)", "fd": "\(c.fd)", "window": "\(c.window.target)", "unread": "\(unread)"])
                }
            }
        }
        return n
    }

    /// Refills the channel's window toward its target, as far as the budget allows. Called right
    /// after a read that the reader took whole, so neither libssh2's own window adjust nor an
    /// earlier grant of ours is half sent (both share one adjust state per channel).
    private func grant(_ c: ForwardConnection, _ channel: SSHChannel) throws(SSHError) {
        let bytes = c.window.topUp(credit: channel.receiveCredit, budget: budget)
        guard bytes > 0 else { return }
        budget.used += bytes
        let rc = channel.grantWindow(bytes)
        if rc == LibSSH2.eagain {
            c.grantPending = bytes
        } else if rc != 0 {
            try channelFailed(c, rc)
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
        c.toLocal = []
        c.toRemote = []
        if let ch = c.channel {
            if ch.close() == LibSSH2.eagain { closing.append(ch) }
            c.channel = nil
        }
        heap.retired()
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
