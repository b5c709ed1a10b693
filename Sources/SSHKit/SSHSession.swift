import AutopodSupport
internal import CLibSSH2
import Logging

/// Tunables for one SSH connection.
public struct SSHSessionOptions: Sendable {
    /// Deadline for the TCP connect.
    public var connectTimeout: Duration = .seconds(10)
    /// Deadline for each blocking libssh2 step (handshake, each auth attempt).
    public var operationTimeout: Duration = .seconds(20)
    /// One deadline over the whole handshake, banner and key exchange through authentication:
    /// a server that keeps sending bytes never trips the per-step deadline.
    public var handshakeTimeout: Duration = .seconds(45)
    /// Time between `keepalive@libssh2.org` requests once authenticated (libssh2 counts whole
    /// seconds, at least 2; a fraction is rounded up).
    public var keepaliveInterval: Duration = .seconds(3)
    /// A connection that cannot deliver data for this long is treated as dead (TCP_USER_TIMEOUT,
    /// TCP keepalive, and the event loop's inactivity rule).
    public var deadPeerTimeout: Duration = .seconds(10)
    /// Cipher preference. libssh2 1.10 has no chacha20/GCM. Measured here (200 MB through exec
    /// over loopback): aes128-ctr and aes256-ctr within noise of each other (~150 MB/s, the MAC
    /// and the copy loop dominate with AES-NI), so aes128-ctr leads, as in OpenSSH's own order.
    public var ciphers = "aes128-ctr,aes256-ctr,aes192-ctr"
    /// MAC preference, without libssh2 1.10's weaker defaults (hmac-md5, hmac-sha1-96,
    /// ripemd160), which OpenSSH 9 no longer offers. hmac-sha2-256 leads: with SHA extensions it
    /// costs little, and hmac-sha1 saved no measurable CPU on either side of a 256 MiB upload.
    public var macs = "hmac-sha2-256,hmac-sha2-512,hmac-sha1"

    public init() {}
}

/// One SSH connection: the TCP socket, the libssh2 session, and the host key it presented.
///
/// Not Sendable: libssh2 sessions and their channels must be used from a single thread.
public final class SSHSession {
    /// Host key algorithms libssh2 1.10 can verify, ed25519 first as OpenSSH does. The list is a
    /// whitelist: ssh-rsa is left out because 1.10 would only accept it with SHA-1.
    static let hostKeyPreference = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521"

    let raw: OpaquePointer
    /// The connected TCP socket (owned; closed in deinit after the session is freed).
    public let socketFD: Int32
    public let endpoint: SSHEndpoint
    public let options: SSHSessionOptions
    /// The key the server presented in the handshake; check it before authenticating.
    public let hostKey: SSHHostKey
    let logger: Logger
    private var isBlocking = true
    /// Takes libssh2's output through its send callback (see `SSHOutbox` for why).
    let outbox: SSHOutbox
    /// Set once the transport is known to be gone: channels then skip their close handshake
    /// (session_free releases them) instead of waiting on a socket that will never drain.
    var isDead = false
    /// Monotonic time of the last sign of life from the server (bytes on the socket, a channel
    /// read, a channel-open answer); the liveness probe and the event loop judge silence by it.
    var lastInbound: ContinuousClock.Instant = .now
    /// Whether the last poll() found work on the socket for libssh2 (bytes to read, or room for
    /// output it was blocked on). Every libssh2 read drains the socket first, so once one has run
    /// this wake-up, the next read has nothing new to find unless a channel has data queued.
    var socketReady = true
    /// Who is opening a channel right now. libssh2 keeps one channel-open in flight per session
    /// (its open_state), so forwarded connections and the liveness probe take turns.
    var channelOpenOwner: ObjectIdentifier?
    /// Which channel is waiting for the answer to a channel request (an SFTP subsystem). libssh2
    /// 1.10 fails that wait (-1, "Failed waiting for channel success") when the CHANNEL_SUCCESS
    /// it reads is another channel's, so two channels must not wait at once. Opens may overlap it.
    var channelRequestOwner: ObjectIdentifier?
    /// Bounds the handshake until authentication ends (see `HandshakeWatchdog`).
    private let watchdog: HandshakeWatchdog
    /// Channels whose free waits for the server's CHANNEL_CLOSE (see `SSHChannel.deinit`).
    private var closingChannels: [OpaquePointer] = []

    /// Connects and completes the SSH handshake. Does not authenticate and does not judge the
    /// host key: the caller checks `hostKey` (see `KnownHostsFile`) and then calls `authenticate`.
    public init(
        connectingTo endpoint: SSHEndpoint, options: SSHSessionOptions = SSHSessionOptions(),
        logger: Logger = Logger(label: "autopod.ssh")
    ) throws(SSHError) {
        NativeLibraries.initialize()
        self.endpoint = endpoint
        self.options = options
        self.logger = logger
        let fd = try Posix.connectTCP(to: endpoint, timeout: options.connectTimeout)
        Posix.setNoDelay(fd)
        Posix.setDeadPeerDetection(
            fd, deadline: options.deadPeerTimeout, unackedLimit: options.deadPeerTimeout - .seconds(Self.keepaliveSeconds(options)))

        let watchdog = HandshakeWatchdog(socket: fd, timeout: options.handshakeTimeout)
        let outbox = SSHOutbox(fd: fd)
        guard let session = libssh2_session_init_ex(nil, nil, nil, Unmanaged.passUnretained(outbox).toOpaque()) else {
            watchdog.finish()
            close(fd)
            throw SSHError(.io, "libssh2 could not allocate a session (out of memory?).", endpoint: endpoint)
        }
        _ = libssh2_session_callback_set(session, LIBSSH2_CALLBACK_SEND, unsafeBitCast(SSHOutbox.callback, to: UnsafeMutableRawPointer.self))
        _ = libssh2_session_callback_set(
            session, LIBSSH2_CALLBACK_RECV, unsafeBitCast(SSHOutbox.receiveCallback, to: UnsafeMutableRawPointer.self))
        _ = libssh2_session_callback_set(
            session, LIBSSH2_CALLBACK_DISCONNECT, unsafeBitCast(SSHOutbox.disconnectCallback, to: UnsafeMutableRawPointer.self))
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, Int(options.operationTimeout.pollMilliseconds))
        libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, Self.hostKeyPreference)
        libssh2_session_method_pref(session, LIBSSH2_METHOD_CRYPT_CS, options.ciphers)
        libssh2_session_method_pref(session, LIBSSH2_METHOD_CRYPT_SC, options.ciphers)
        libssh2_session_method_pref(session, LIBSSH2_METHOD_MAC_CS, options.macs)
        libssh2_session_method_pref(session, LIBSSH2_METHOD_MAC_SC, options.macs)

        let rc = libssh2_session_handshake(session, libssh2_socket_t(fd))
        if rc != 0 {
            let message = Self.lastErrorMessage(session)
            let timedOut = watchdog.finish()
            libssh2_session_free(session)
            close(fd)
            if timedOut { throw Self.handshakeTimeout(endpoint, options) }
            throw SSHError(
                libssh2: rc, message: message, during: .handshake, endpoint: endpoint,
                "SSH handshake with \(endpoint.host):\(endpoint.port) failed: the port answers but does not complete SSH; "
                    + "libssh2 1.10 also fails here with a server that offers only RSA host keys.")
        }
        var len = 0
        var type: Int32 = 0
        guard let keyPtr = libssh2_session_hostkey(session, &len, &type), len > 0,
            let key = SSHHostKey(blob: Array(UnsafeRawBufferPointer(start: keyPtr, count: len).bindMemory(to: UInt8.self)))
        else {
            watchdog.finish()
            libssh2_session_free(session)
            close(fd)
            throw SSHError(.handshake, "The server at \(endpoint.host):\(endpoint.port) sent no usable host key.", endpoint: endpoint)
        }
        self.raw = session
        self.socketFD = fd
        self.outbox = outbox
        self.hostKey = key
        self.watchdog = watchdog
        logger.debug("SSH handshake done", metadata: ["endpoint": "\(endpoint)", "hostkey": "\(key.type) \(key.fingerprint)"])
    }

    deinit {
        watchdog.finish()
        // Disconnect politely but never hang on a dead peer: a short blocking window is enough
        // for one packet, after which the socket is closed regardless.
        libssh2_session_set_blocking(raw, 1)
        libssh2_session_set_timeout(raw, 1000)
        outbox.blocking = true
        if !isDead {
            libssh2_session_disconnect_ex(raw, SSH_DISCONNECT_BY_APPLICATION, "autopod closing", "")
            // Nothing more is read, so channels still waiting for the server's close are
            // released by session_free at once, not a round trip later.
            shutdown(socketFD, Int32(SHUT_RDWR))
        }
        libssh2_session_free(raw)
        close(socketFD)
    }

    public var isAuthenticated: Bool { libssh2_userauth_authenticated(raw) != 0 }

    /// Authenticates with the given credentials (key files first, then the agent).
    /// `passphrase` is asked only for encrypted key files; its answer is never logged.
    public func authenticate(
        _ credentials: SSHCredentials, passphrase: (String) -> String? = { _ in nil }
    ) throws(SSHError) {
        let watchdog = watchdog
        do throws(SSHError) {
            try SSHAuthenticator(session: self).authenticate(credentials) { path in watchdog.pausing { passphrase(path) } }
        } catch {
            if watchdog.finish() {
                isDead = true
                throw Self.handshakeTimeout(endpoint, options)
            }
            throw error
        }
        if watchdog.finish() {
            isDead = true
            throw Self.handshakeTimeout(endpoint, options)
        }
    }

    /// The error for a handshake the deadline ended.
    static func handshakeTimeout(_ endpoint: SSHEndpoint, _ options: SSHSessionOptions) -> SSHError {
        SSHError(
            .timeout,
            "The SSH handshake with \(endpoint.host):\(endpoint.port) did not complete within "
                + "\(options.handshakeTimeout.wholeSeconds) s: the port answers but the server never finished "
                + "the banner, key exchange and login.",
            endpoint: endpoint)
    }

    /// Starts libssh2's keepalive; call only after authentication (some servers reject global
    /// requests earlier). want_reply = 0: replies would pile up unfreed in libssh2 1.10 (#623).
    func startKeepalive() {
        libssh2_keepalive_config(raw, 0, UInt32(Self.keepaliveSeconds(options)))
    }

    /// The keepalive interval as libssh2 takes it: whole seconds, at least 2.
    static func keepaliveSeconds(_ options: SSHSessionOptions) -> Int {
        max(2, Int(options.keepaliveInterval.seconds.rounded(.up)))
    }

    /// Sends a keepalive if due; returns the time until the next one is due.
    @discardableResult
    func sendKeepaliveIfDue() throws(SSHError) -> Duration {
        var next: Int32 = 0
        let rc = libssh2_keepalive_send(raw, &next)
        if rc != 0 && rc != LibSSH2.eagain {
            throw error(.disconnected, "The connection to \(endpoint.host):\(endpoint.port) was lost while sending a keepalive.", code: rc)
        }
        return .seconds(Int(next))
    }

    func setBlocking(_ blocking: Bool) {
        guard blocking != isBlocking else { return }
        // A blocking call may wait for the answer to bytes still in the outbox.
        if blocking { _ = outbox.drain(timeout: options.operationTimeout) }
        libssh2_session_set_blocking(raw, blocking ? 1 : 0)
        outbox.blocking = blocking
        isBlocking = blocking
    }

    /// Finishes freeing `channel` once the server has closed it (`freeClosedChannels`), or
    /// with the session.
    func freeLater(_ channel: OpaquePointer) {
        closingChannels.append(channel)
    }

    /// Frees the channels whose close the server has answered. It may read the socket (libssh2
    /// reads while it waits for a close), so the event loop calls it just before its
    /// participants look for data.
    func freeClosedChannels() {
        guard !closingChannels.isEmpty, !isDead else { return }
        closingChannels.removeAll { libssh2_channel_free($0) != LibSSH2.eagain }
    }

    /// Writes what the socket takes of the outbox now.
    func flushOutbox() throws(SSHError) {
        let err = outbox.flush()
        if err != 0 {
            throw SSHError(
                .disconnected, "The connection to \(endpoint.host):\(endpoint.port) was lost: \(Posix.errorString(err)).",
                endpoint: endpoint)
        }
    }

    /// The poll events libssh2 is waiting for after an EAGAIN, plus room for the outbox.
    var blockedEvents: Int16 {
        let dirs = libssh2_session_block_directions(raw)
        var events: Int16 = 0
        if dirs & LIBSSH2_SESSION_BLOCK_INBOUND != 0 { events |= Int16(POLLIN) }
        if dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 || !outbox.isEmpty { events |= Int16(POLLOUT) }
        return events
    }

    var lastErrorCode: Int32 { libssh2_session_last_errno(raw) }

    var lastErrorMessage: String { Self.lastErrorMessage(raw) }

    /// Whether the server has ended the connection: it sent SSH_MSG_DISCONNECT (with the reason
    /// it gave), or the socket shows its close. nil while it is still there.
    var serverEnding: String? {
        if let reason = outbox.serverDisconnect { return "it said: \(reason)" }
        return Posix.peerHasClosed(socketFD) ? "it closed the connection" : nil
    }

    static func lastErrorMessage(_ session: OpaquePointer) -> String {
        var msg: UnsafeMutablePointer<CChar>?
        var len: Int32 = 0
        libssh2_session_last_error(session, &msg, &len, 0)
        guard let msg, len > 0 else { return "" }
        return String(cString: msg)
    }

    /// The error for a libssh2 call that returned `code` while guarding against a `step` failure,
    /// with libssh2's message for it (see `SSHError.init(libssh2:...)` for how the kind is chosen).
    func error(_ step: SSHError.Kind, _ text: String, code: Int32) -> SSHError {
        SSHError(libssh2: code, message: lastErrorMessage, during: step, endpoint: endpoint, text)
    }
}
