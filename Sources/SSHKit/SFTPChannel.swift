import AutopodSupport
internal import CLibSSH2

/// An SFTP session on its own SSH channel (the `sftp` subsystem), with any number of requests
/// in flight: requests are framed straight into an output queue, replies are parsed in place
/// from an input queue and handed to the handler registered under their id.
///
/// Opening is a non-blocking state machine run from the event loop, sharing the session's
/// single channel-open slot with the liveness probe and other channels, and its channel-request
/// slot with other SFTP channels.
final class SFTPChannel {
    enum State {
        case opening
        case starting
        case initializing
        case ready
        case closed
    }

    typealias Handler = (SFTPReply) -> Void

    let session: SSHSession
    /// The receive window offered to the server: what a download can have in flight per channel.
    let window: UInt32
    private(set) var state = State.opening
    private(set) var channel: SSHChannel?
    private(set) var version: UInt32 = 0
    private(set) var extensions: [String: [UInt8]] = [:]
    /// The largest READ and WRITE lengths the server takes (from limits@openssh.com), and how
    /// many handles it lets one session open; nil when it did not say.
    private(set) var maxReadLength: Int?
    private(set) var maxWriteLength: Int?
    private(set) var maxOpenHandles: Int?

    private let outbound = ByteQueue(capacity: 256 * 1024)
    private let inbound = ByteQueue(capacity: 512 * 1024)
    private var handlers: [UInt32: Handler] = [:]
    /// The next request's id: one more than the requests framed so far.
    private(set) var nextID: UInt32 = 1
    /// How long the first request after INIT (limits@openssh.com) took to be answered: the
    /// link's round trip, as a transfer sees it; nil until then, or if the server lacks it.
    private(set) var roundTrip: Duration?
    /// Bytes of READ requested and WRITE sent whose replies have not come back, for the
    /// scheduler's limits.
    var bytesInFlight = 0
    private var discard = [UInt8](repeating: 0, count: 4096)

    /// Replies larger than this are a broken stream, not SFTP (OpenSSH's limit is 256 KiB).
    static let maxPacket = 4 * 1024 * 1024

    init(session: SSHSession, window: UInt32) {
        self.session = session
        self.window = window
        // INIT (no request id: version 3, no extensions) goes first, whatever is queued behind it.
        outbound.append(UInt32(5))
        outbound.append(SFTPProtocol.MessageType.initialize.rawValue)
        outbound.append(SFTPProtocol.version)
    }

    var isReady: Bool { state == .ready }
    /// Whether requests may be queued here: the server has given the channel, so they go out
    /// behind INIT as soon as the subsystem answers (about two round trips before `isReady`).
    var takesRequests: Bool { state == .starting || state == .initializing || state == .ready }
    var requestsInFlight: Int { handlers.count }
    var queuedBytes: Int { outbound.count }

    func supports(_ name: String) -> Bool { extensions[name] != nil }

    // MARK: Requests

    /// Frames a request of `type` into the output queue: `body` appends the fields after the id
    /// and may return false to take the request back (a file read that failed).
    @discardableResult
    func request(_ type: SFTPProtocol.MessageType, _ body: (ByteQueue) -> Bool = { _ in true }, reply: @escaping Handler) -> Bool {
        let start = outbound.endOffset
        outbound.append(UInt32(0))
        outbound.append(type.rawValue)
        let id = nextID
        nextID &+= 1
        outbound.append(id)
        guard body(outbound) else {
            outbound.truncate(to: start)
            return false
        }
        outbound.patch(UInt32(outbound.endOffset - start - 4), at: start)
        handlers[id] = reply
        return true
    }

    /// A request with one string argument (a path) and nothing else.
    func request(_ type: SFTPProtocol.MessageType, path: String, reply: @escaping Handler) {
        request(
            type,
            {
                $0.appendString(path); return true
            }, reply: reply)
    }

    /// A request with two string arguments (two paths, as RENAME and SYMLINK take) and nothing else.
    func request(_ type: SFTPProtocol.MessageType, _ first: String, _ second: String, reply: @escaping Handler) {
        request(
            type,
            { q in
                q.appendString(first)
                q.appendString(second)
                return true
            }, reply: reply)
    }

    /// OPENs `path`; `reply` gets the file's handle, or nil and the reply that refused it.
    func open(
        _ path: String, _ flags: SFTPProtocol.OpenFlags, attributes: SFTPAttributes = SFTPAttributes(),
        reply: @escaping (_ handle: [UInt8]?, SFTPReply) -> Void
    ) {
        request(
            .open,
            { q in
                q.appendString(path)
                q.append(flags.rawValue)
                q.appendAttributes(attributes)
                return true
            },
            reply: { answer in
                var r = answer.reader
                reply(answer.type == SFTPProtocol.MessageType.handle.rawValue ? r.data() : nil, answer)
            })
    }

    /// READs `length` bytes at `offset` of an open file.
    func read(_ handle: [UInt8], at offset: UInt64, length: Int, reply: @escaping Handler) {
        request(
            .read,
            { q in
                q.appendString(handle)
                q.append(offset)
                q.append(UInt32(length))
                return true
            }, reply: reply)
    }

    /// CLOSEs a handle whose answer nobody waits for.
    func close(_ handle: [UInt8]) {
        request(
            .close,
            { q in
                q.appendString(handle); return true
            }, reply: { _ in })
    }

    /// An OpenSSH extension request (`extended` with the name first).
    func extended(_ name: String, _ body: @escaping (ByteQueue) -> Void = { _ in }, reply: @escaping Handler) {
        request(
            .extended,
            { q in
                q.appendString(name); body(q); return true
            }, reply: reply)
    }

    // MARK: Servicing

    /// Advances opening, writes what the channel takes, and dispatches every complete reply.
    /// Returns whether anything moved.
    func service() throws(SSHError) -> Bool {
        switch state {
        case .closed: return false
        case .opening: return try open()
        case .starting: return try start()
        case .initializing, .ready: return try pump()
        }
    }

    /// libssh2 1.10 opens one channel at a time per session: the open slot is held until the
    /// server confirms this one.
    private func open() throws(SSHError) -> Bool {
        let me = ObjectIdentifier(self)
        if let owner = session.channelOpenOwner, owner != me { return false }
        session.channelOpenOwner = me
        if let raw = libssh2_channel_open_ex(session.raw, "session", 7, window, LibSSH2.defaultPacket, nil, 0) {
            session.channelOpenOwner = nil
            session.lastInbound = .now
            channel = SSHChannel(session: session, raw: raw)
            state = .starting
            return true
        }
        let code = session.lastErrorCode
        if code == LibSSH2.eagain { return false }
        session.channelOpenOwner = nil
        throw session.error(
            LibSSH2.isTransportFailure(code) ? .disconnected : .channel,
            "The pod's SSH server refused a channel for SFTP (it may allow only a few sessions per connection: MaxSessions).",
            code: code)
    }

    /// Asks for the subsystem, holding the session's request slot until the answer (see
    /// `SSHSession.channelRequestOwner`).
    private func start() throws(SSHError) -> Bool {
        guard let channel else { return false }
        let me = ObjectIdentifier(self)
        if let owner = session.channelRequestOwner, owner != me { return false }
        session.channelRequestOwner = me
        let rc = libssh2_channel_process_startup(channel.raw, "subsystem", 9, "sftp", 4)
        if rc == LibSSH2.eagain { return false }
        releaseSlots()
        if rc != 0 {
            if LibSSH2.isTransportFailure(rc) && rc != LIBSSH2_ERROR_SOCKET_NONE {
                throw session.error(.disconnected, "The connection was lost while starting SFTP.", code: rc)
            }
            // -1 is libssh2's "Failed waiting for channel success" (see `open`), not a lost
            // socket (a dead one shows in the next read): only this channel is lost.
            throw SSHError(
                .channel,
                "The pod's SSH server has no SFTP subsystem (sshd_config needs `Subsystem sftp internal-sftp` or sftp-server)."
                    + SSHError.libssh2Suffix(code: rc, message: session.lastErrorMessage),
                endpoint: session.endpoint, code: rc, libssh2Message: session.lastErrorMessage)
        }
        session.lastInbound = .now
        state = .initializing
        return true
    }

    /// Replies libssh2 has already taken off the socket for this channel. libssh2 reads every
    /// packet waiting there, so a read for another channel takes in this one's replies (and
    /// WINDOW_ADJUSTs) too, and nothing on the socket says so afterwards: `SFTPEngine` checks
    /// this, and calls `flush`, before the loop sleeps.
    var hasQueuedReplies: Bool {
        guard let channel, state == .initializing || state == .ready else { return false }
        return channel.hasQueuedData
    }

    /// Writes as much of the queued requests as the window and the outbox take; whether any went.
    func flush() throws(SSHError) -> Bool {
        guard let channel, state == .initializing || state == .ready else { return false }
        var wrote = false
        while !outbound.isEmpty {
            switch channel.write(outbound.readable) {
            case .bytes(let n):
                outbound.consume(n)
                wrote = true
                continue
            case .failed(let code):
                throw failure(code, "sending SFTP requests")
            default:
                break
            }
            break
        }
        return wrote
    }

    private func pump() throws(SSHError) -> Bool {
        guard let channel else { return false }
        var progress = try flush()
        // In: read until libssh2 has nothing more for this channel, dispatching as packets complete.
        while true {
            var result = SSHChannel.IOResult.none
            inbound.fill(upTo: 64 * 1024) { buffer in
                result = channel.read(stream: 0, into: buffer)
                if case .bytes(let n) = result { return n }
                return 0
            }
            guard case .bytes = result else {
                if case .failed(let code) = result { throw failure(code, "reading SFTP replies") }
                break
            }
            progress = true
            session.lastInbound = .now
            try dispatch()
        }
        // sftp-server writes nothing on stderr, but unread bytes there would hold the window.
        _ = discard.withUnsafeMutableBytes { channel.read(stream: CLIBSSH2_EXTENDED_DATA_STDERR, into: $0) }
        if channel.isEOF {
            state = .closed
            throw SSHError(.channel, "The pod's SFTP server ended the session (its process exited or was killed).")
        }
        return progress
    }

    private func dispatch() throws(SSHError) {
        while inbound.count >= 4 {
            let length = Int(UInt32(bigEndian: inbound.readable.loadUnaligned(as: UInt32.self)))
            guard length >= 1, length <= Self.maxPacket else {
                throw SSHError(.channel, "The pod's SFTP server sent a malformed packet (length \(length)).")
            }
            guard inbound.count >= 4 + length else {
                inbound.reserve(4 + length - inbound.count)
                return
            }
            let packet = UnsafeRawBufferPointer(rebasing: inbound.readable[4..<4 + length])
            let type = packet[0]
            if state == .initializing {
                guard type == SFTPProtocol.MessageType.version.rawValue else {
                    throw SSHError(.channel, "The pod's SFTP server answered INIT with message type \(type).")
                }
                readVersion(UnsafeRawBufferPointer(rebasing: packet[1...]))
                state = .ready
            } else {
                var r = SFTPReader(UnsafeRawBufferPointer(rebasing: packet[1...]))
                guard let id = r.uint32(), let handler = handlers.removeValue(forKey: id) else {
                    throw SSHError(.channel, "The pod's SFTP server answered a request that was never made.")
                }
                handler(SFTPReply(type: type, body: UnsafeRawBufferPointer(rebasing: packet[5...])))
            }
            inbound.consume(4 + length)
        }
    }

    private func readVersion(_ body: UnsafeRawBufferPointer) {
        var r = SFTPReader(body)
        version = r.uint32() ?? 0
        while r.remaining > 0, let name = r.string(), let data = r.data() {
            extensions[name] = data
        }
        if supports(SFTPProtocol.Extension.limits) {
            let asked = ContinuousClock.now
            extended(SFTPProtocol.Extension.limits) { [self] reply in
                roundTrip = asked.duration(to: .now)
                guard reply.type == SFTPProtocol.MessageType.extendedReply.rawValue else { return }
                var r = reply.reader
                guard r.uint64() != nil, let read = r.uint64(), let write = r.uint64(), let handles = r.uint64() else { return }
                if read > 0 { maxReadLength = Int(min(read, UInt64(Self.maxPacket / 2))) }
                if write > 0 { maxWriteLength = Int(min(write, UInt64(Self.maxPacket / 2))) }
                if handles > 0 { maxOpenHandles = Int(min(handles, 1 << 20)) }
            }
        }
    }

    private func failure(_ code: Int32, _ what: String) -> SSHError {
        state = .closed
        let kind: SSHError.Kind = LibSSH2.isTransportFailure(code) ? .disconnected : .channel
        return session.error(kind, "The connection failed while \(what).", code: code)
    }

    private func releaseSlots() {
        let me = ObjectIdentifier(self)
        if session.channelOpenOwner == me { session.channelOpenOwner = nil }
        if session.channelRequestOwner == me { session.channelRequestOwner = nil }
    }

    /// Starts the close handshake; the channel is freed with this object.
    func close() {
        if state != .closed, let channel { _ = channel.close() }
        state = .closed
        releaseSlots()
    }
}
