import AutopodSupport
internal import CLibSSH2

/// The fds one poll() waits on, built fresh for every iteration.
struct PollSet {
    private(set) var fds: [pollfd] = []

    /// Registers an fd and returns its slot, to read `revents(slot)` after the poll.
    @discardableResult
    mutating func add(_ fd: Int32, _ events: Int16) -> Int {
        fds.append(pollfd(fd: fd, events: events, revents: 0))
        return fds.count - 1
    }

    func revents(_ slot: Int?) -> Int16 {
        guard let slot, slot < fds.count else { return 0 }
        return fds[slot].revents
    }

    func isReadable(_ slot: Int?) -> Bool {
        revents(slot) & Int16(POLLIN | POLLHUP | POLLERR) != 0
    }

    func isWritable(_ slot: Int?) -> Bool {
        revents(slot) & Int16(POLLOUT | POLLHUP | POLLERR) != 0
    }

    mutating func poll(timeoutMs: Int32) -> Int32 {
        fds.withUnsafeMutableBufferPointer { buf in
            Libc.poll(buf.baseAddress, buf.count, timeoutMs)
        }
    }
}

/// Something that does its work inside the event loop: an exec, a shell, a set of forwards.
protocol SSHLoopParticipant: AnyObject {
    /// Adds the local fds it wants watched this iteration.
    func register(_ set: inout PollSet)
    /// Does every piece of non-blocking work it can (reads all its channels until EAGAIN).
    /// Called after every wake-up, whatever woke the loop: reading one channel can pull another
    /// channel's data off the socket, after which poll() will not report it.
    func service(_ set: PollSet, now: ContinuousClock.Instant) throws(SSHError)
    /// Whether it has channels open, so inbound SSH data has a consumer.
    var hasChannels: Bool { get }
    /// When it wants servicing even without I/O.
    var nextDeadline: ContinuousClock.Instant? { get }
    var isFinished: Bool { get }
}

/// One thread, one poll(): the SSH socket (in the directions libssh2 asks for, plus inbound
/// whenever channels are open), a wake-up pipe, and every participant's local fds. Keepalives
/// and dead-peer detection live here so every user of a session gets them.
final class SSHEventLoop {
    let session: SSHSession
    let wake: WakePipe
    /// The first participant is the primary one (exec, shell): the loop ends when it finishes.
    /// Others (forwards riding along a shell) never finish on their own.
    var participants: [SSHLoopParticipant] = []
    /// Called on the loop thread after the wake pipe was readable (commands, signals).
    var onWake: (() throws(SSHError) -> Void)?
    /// Set by other code on the loop thread to end `run`.
    var stopRequested = false

    /// Asks the server for an answer when it has been silent (see `LivenessProbe`); nil keeps
    /// the old behaviour (keepalives without replies, TCP-level detection only).
    var probe: LivenessProbe?
    private var outboundBlockedSince: ContinuousClock.Instant?
    /// Inbound bytes with no channel to consume them (e.g. a server keepalive while idle):
    /// poll would report POLLIN forever, so stop asking until a channel exists again.
    private var inboundParkedUntil = ContinuousClock.now
    /// Unread bytes in the socket when it was last found readable with no channel open: the
    /// same bytes seen again are not a new sign of life (level-triggered POLLIN).
    private var parkedUnread = -1

    init(session: SSHSession, wake: WakePipe? = nil) throws(SSHError) {
        self.session = session
        if let wake { self.wake = wake } else { self.wake = try WakePipe() }
        session.lastInbound = .now
        session.setBlocking(false)
        session.startKeepalive()
    }

    func run() throws(SSHError) {
        let deadAfter = session.options.deadPeerTimeout
        while !stopRequested && !(participants.first?.isFinished ?? true) {
            let now = ContinuousClock.now
            try session.flushOutbox()
            try session.sendKeepaliveIfDue()
            if let probe { try probe.tick(now: now) }
            let hasChannels = participants.contains { $0.hasChannels } || (probe?.inFlight ?? false)

            var set = PollSet()
            var sshEvents = session.blockedEvents
            if hasChannels || now >= inboundParkedUntil { sshEvents |= Int16(POLLIN) }
            let sshSlot = set.add(session.socketFD, sshEvents)
            let wakeSlot = set.add(wake.readFD, Int16(POLLIN))
            for p in participants where !p.isFinished { p.register(&set) }

            // Keepalives fall due in whole seconds, so a tick every second is never late for one.
            var timeout = Duration.seconds(1)
            for p in participants {
                if let d = p.nextDeadline { timeout = min(timeout, max(.zero, now.duration(to: d))) }
            }
            if let d = probe?.nextDeadline { timeout = min(timeout, max(.milliseconds(10), now.duration(to: d))) }
            let ready = set.poll(timeoutMs: timeout.pollMilliseconds)
            if ready < 0 && errno != EINTR {
                throw SSHError(.io, "poll() failed: \(Posix.errorString()).")
            }
            let after = ContinuousClock.now

            let sshRevents = set.revents(sshSlot)
            session.socketReady = sshRevents & Int16(POLLIN | POLLOUT) != 0
            if sshRevents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 {
                let err = Posix.socketError(session.socketFD)
                throw SSHError(
                    .disconnected,
                    "The connection to \(session.endpoint.host):\(session.endpoint.port) was lost\(err != 0 ? ": \(Posix.errorString(err))" : "").",
                    endpoint: session.endpoint)
            }
            if sshRevents & Int16(POLLIN) != 0 {
                if hasChannels {
                    session.lastInbound = after
                    parkedUnread = -1
                } else {
                    let unread = Posix.unreadBytes(session.socketFD)
                    if unread != parkedUnread { session.lastInbound = after }
                    parkedUnread = unread
                    try checkIdleInbound(after)
                }
            }
            if sshEvents & Int16(POLLOUT) != 0 && sshRevents & Int16(POLLOUT) == 0 {
                if outboundBlockedSince == nil { outboundBlockedSince = after }
            } else {
                outboundBlockedSince = nil
            }
            // Data we cannot send for this long means the peer stopped acknowledging.
            if let since = outboundBlockedSince, since.duration(to: after) > deadAfter {
                throw SSHError(
                    .unresponsive, "The connection to \(session.endpoint.host):\(session.endpoint.port) stalled for \(deadAfter.wholeSeconds) s and was given up.",
                    endpoint: session.endpoint)
            }
            if sshRevents & Int16(POLLOUT) != 0 { try session.flushOutbox() }
            if set.isReadable(wakeSlot) {
                wake.drain()
                try onWake?()
            }
            session.freeClosedChannels()
            for p in participants where !p.isFinished {
                try p.service(set, now: after)
            }
        }
    }

    /// With no channel open, readable means either the peer closed (recv peeks 0) or it sent a
    /// message only a channel read would consume.
    private func checkIdleInbound(_ now: ContinuousClock.Instant) throws(SSHError) {
        var byte: UInt8 = 0
        let n = recv(session.socketFD, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            throw SSHError(
                .disconnected, "The server at \(session.endpoint.host):\(session.endpoint.port) closed the connection.",
                endpoint: session.endpoint)
        }
        inboundParkedUntil = now + .seconds(1)
    }
}
