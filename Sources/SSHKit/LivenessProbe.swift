import AutopodSupport
internal import CLibSSH2

/// Proves the server is still there when it has been silent for a while.
///
/// libssh2's keepalive is sent with want_reply = 0 (a reply would leak in 1.10, #623), so it
/// proves nothing. TCP cannot help either when a proxy sits in the path: RunPod's public SSH
/// endpoint (and runpod-sim's) keeps ACKing our side while the pod behind it is unreachable.
/// So after `idleAfter` without a byte from the server this opens a `session` channel, which
/// sshd must confirm, and closes it again; if nothing at all arrives for `idleAfter +
/// replyTimeout` the session is declared dead.
///
/// Why a `session` channel rather than a direct-tcpip to a closed port (measured in
/// LivenessProbeTests against OpenSSH 9.2, loopback): both cost one round trip (~0.3 ms each
/// here), but at sshd's default LogLevel INFO the session probe logs nothing while every
/// closed-port probe logs "connect_to 127.0.0.1 port 1: failed" (at VERBOSE the session probe
/// logs one "Close session" line). A session channel also needs no connect() on the pod, cannot
/// reach a service that happens to listen on the chosen port, and starts no process because no
/// exec, shell or subsystem is requested. The open goes through the session's single
/// channel-open slot (`SSHSession.channelOpenOwner`), which forwarded connections also use.
final class LivenessProbe {
    /// What the probe asks for. `.closedPort` (a direct-tcpip to 127.0.0.1:1, which sshd
    /// answers with OPEN_FAILURE) is kept for the comparison in LivenessProbeTests.
    enum Kind {
        case session
        case closedPort
    }

    let session: SSHSession
    let kind: Kind
    var idleAfter: Duration
    let replyTimeout: Duration
    private var opening = false
    /// The probe channel, until the server's CHANNEL_CLOSE has been read: left unread, those
    /// bytes would sit in the socket with no channel to consume them.
    private var closing: SSHChannel?
    private var closeSent = false
    private(set) var probesSent = 0

    init(session: SSHSession, idleAfter: Duration = .seconds(3), replyTimeout: Duration = .seconds(5), kind: Kind = .session) {
        self.session = session
        self.kind = kind
        self.idleAfter = idleAfter
        self.replyTimeout = replyTimeout
    }

    private static let closedPortPayload: [UInt8] = {
        var p: [UInt8] = []
        SSHWire.appendString(&p, Array("127.0.0.1".utf8))
        SSHWire.appendUInt32(&p, 1)
        SSHWire.appendString(&p, Array("127.0.0.1".utf8))
        SSHWire.appendUInt32(&p, 0)
        return p
    }()

    /// Whether a reply is outstanding, so the loop keeps reading the SSH socket.
    var inFlight: Bool { opening || closing != nil }

    /// When the loop should call `tick` next without I/O.
    var nextDeadline: ContinuousClock.Instant {
        let last = session.lastInbound
        return inFlight ? last + idleAfter + replyTimeout : last + idleAfter
    }

    /// Advances the probe; throws `.disconnected` when the server stopped answering.
    func tick(now: ContinuousClock.Instant) throws(SSHError) {
        if let channel = closing {
            if !closeSent && channel.close() != LibSSH2.eagain { closeSent = true }
            if closeSent && channel.waitClosed() != LibSSH2.eagain { closing = nil }
        }
        let silent = session.lastInbound.duration(to: now)
        if silent > idleAfter + replyTimeout {
            throw SSHError(
                .unresponsive,
                "The server at \(session.endpoint.host):\(session.endpoint.port) stopped answering (nothing for \(Int(silent.seconds)) s, probe unanswered); the link is treated as dead.",
                endpoint: session.endpoint)
        }
        if !opening {
            let me = ObjectIdentifier(self)
            guard silent >= idleAfter, closing == nil, session.channelOpenOwner == nil || session.channelOpenOwner == me,
                session.blockedEvents & Int16(POLLOUT) == 0
            else { return }
            opening = true
            session.channelOpenOwner = me
            probesSent += 1
        }
        // libssh2 requires the same call to be repeated after EAGAIN; the arguments are constant.
        let raw: OpaquePointer?
        switch kind {
        case .session:
            raw = libssh2_channel_open_ex(session.raw, "session", 7, 64 * 1024, LibSSH2.defaultPacket, nil, 0)
        case .closedPort:
            raw = Self.closedPortPayload.withUnsafeBufferPointer { buf in
                buf.withMemoryRebound(to: CChar.self) { chars in
                    libssh2_channel_open_ex(session.raw, "direct-tcpip", 12, 64 * 1024, LibSSH2.defaultPacket, chars.baseAddress, UInt32(chars.count))
                }
            }
        }
        if let raw {
            opening = false
            session.channelOpenOwner = nil
            session.lastInbound = now
            closing = SSHChannel(session: session, raw: raw)
            closeSent = false
            if let channel = closing {
                if channel.close() != LibSSH2.eagain { closeSent = true }
                if closeSent && channel.waitClosed() != LibSSH2.eagain { closing = nil }
            }
            return
        }
        let code = session.lastErrorCode
        if code == LibSSH2.eagain { return }
        opening = false
        session.channelOpenOwner = nil
        if LibSSH2.isTransportFailure(code) {
            throw session.error(.disconnected, "The connection to \(session.endpoint.host):\(session.endpoint.port) was lost during a liveness probe.", code: code)
        }
        // A refusal (e.g. MaxSessions reached) is still an answer from a live server.
        session.lastInbound = now
    }
}
