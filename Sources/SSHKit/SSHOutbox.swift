import AutopodSupport
internal import CLibSSH2

/// The bytes libssh2 has sent that the kernel could not take yet.
///
/// libssh2 1.10 keeps at most one partly sent packet per session and refuses every other packet
/// until that one is finished (`LIBSSH2_ERROR_BAD_USE`, reported for EOFs and window adjusts as
/// a socket error). With many channels on one socket a full send buffer makes that the normal
/// case, and no caller can know whose packet is pending. So the session's send callback hands
/// libssh2's output to this outbox: what the socket cannot take now is kept here, in order, and
/// written when poll() reports room. libssh2 then never sees a short send in non-blocking mode.
/// Channel writes hold back while the outbox is full (`isFull`), which keeps it small.
///
/// It is also where libssh2 reads the socket (`receiveAllowance`), since both callbacks get
/// the session's one abstract pointer.
final class SSHOutbox {
    /// Past this, channel writes wait: the kernel's own send buffer is already full by then.
    static let highWater = 128 * 1024

    let fd: Int32
    /// In blocking mode libssh2 waits and retries a short send itself, with nothing in between,
    /// so the outbox passes the socket's answer through instead of queueing.
    var blocking = true
    private var bytes: [UInt8] = []
    private var offset = 0
    /// What the server gave as its reason when it sent SSH_MSG_DISCONNECT, once it has (kept
    /// here because the outbox is the session's abstract pointer, which libssh2 hands to every
    /// callback). libssh2 reports that message only as "socket disconnect", and the TCP close
    /// behind it can arrive later, so this is the sure sign that the server ended the session.
    private(set) var serverDisconnect: String?

    /// Bytes libssh2 may still read from the socket before it is told that nothing more is
    /// there (nil: no limit; only in non-blocking mode). libssh2 1.10 reads and decrypts every
    /// packet waiting on the socket before a channel read returns any data, so while a fast
    /// download keeps the socket full its reader sees nothing, and asks for nothing more, until
    /// the server pauses. With an allowance a read returns after about that much; the rest
    /// stays in the socket, and poll() still reports it.
    var receiveAllowance: Int?
    /// Every byte libssh2 has read from the socket.
    private(set) var received = 0

    init(fd: Int32) {
        self.fd = fd
    }

    var isEmpty: Bool { offset >= bytes.count }
    var isFull: Bool { bytes.count - offset >= Self.highWater }

    /// Writes what the socket takes now. Returns 0, or the errno that ended the connection.
    func flush() -> Int32 {
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                return 0
            } else {
                return n < 0 ? errno : EPIPE
            }
        }
        // Keep the buffer for the next burst unless a burst made it unusually large.
        bytes.removeAll(keepingCapacity: bytes.capacity <= 2 * Self.highWater)
        offset = 0
        return 0
    }

    /// libssh2's send: returns the byte count taken, or a negative errno as `send()` would.
    func take(_ data: UnsafeRawBufferPointer) -> Int {
        if !isEmpty {
            let err = flush()
            if err != 0 { return -Int(err) }
        }
        guard isEmpty else {
            if blocking { return -Int(EAGAIN) }
            bytes.append(contentsOf: data)
            return data.count
        }
        var n: Int
        repeat {
            n = Libc.send(fd, data.baseAddress, data.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        } while n < 0 && errno == EINTR
        if n == data.count || blocking { return n < 0 ? -Int(errno) : n }
        if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { return -Int(errno) }
        bytes.append(contentsOf: data[max(n, 0)...])
        return data.count
    }

    /// Waits until everything is written or `timeout` passes (before libssh2 blocks on a reply
    /// to bytes still held here). Returns 0, or the errno that ended the connection.
    func drain(timeout: Duration) -> Int32 {
        let deadline = Deadline.after(timeout)
        while !isEmpty {
            let err = flush()
            if err != 0 { return err }
            if isEmpty || deadline.hasPassed { break }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, min(deadline.remaining, .seconds(1)).pollMilliseconds)
        }
        return 0
    }

    /// The C function libssh2 calls; `abstract` points at the session's outbox.
    static let callback:
        @convention(c) (
            libssh2_socket_t, UnsafeRawPointer?, Int, Int32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        ) -> Int = { socket, buffer, length, flags, abstract in
            guard let owner = abstract?.pointee else { return -Int(EBADF) }
            let outbox = Unmanaged<SSHOutbox>.fromOpaque(owner).takeUnretainedValue()
            guard socket == outbox.fd else {
                // libssh2 also sends to the SSH agent through this callback, as a plain send().
                let n = Libc.send(socket, buffer, length, flags)
                return n < 0 ? -Int(errno) : n
            }
            return outbox.take(UnsafeRawBufferPointer(start: buffer, count: length))
        }

    /// libssh2's receive: returns the byte count read, or a negative errno as `recv()` would.
    func receive(_ buffer: UnsafeMutableRawPointer?, _ length: Int, flags: Int32) -> Int {
        if !blocking, let allowance = receiveAllowance, allowance <= 0 { return -Int(EAGAIN) }
        var n: Int
        repeat {
            n = recv(fd, buffer, length, flags)
        } while n < 0 && errno == EINTR
        guard n >= 0 else { return -Int(errno) }
        received += n
        if let allowance = receiveAllowance { receiveAllowance = allowance - n }
        return n
    }

    /// The C function libssh2 calls to read; `abstract` points at the session's outbox.
    static let receiveCallback:
        @convention(c) (
            libssh2_socket_t, UnsafeMutableRawPointer?, Int, Int32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        ) -> Int = { socket, buffer, length, flags, abstract in
            guard let owner = abstract?.pointee else { return -Int(EBADF) }
            let outbox = Unmanaged<SSHOutbox>.fromOpaque(owner).takeUnretainedValue()
            guard socket == outbox.fd else {
                // The SSH agent's socket, read as libssh2 would read it.
                let n = recv(socket, buffer, length, flags)
                return n < 0 ? -Int(errno) : n
            }
            return outbox.receive(buffer, length, flags: flags)
        }

    /// libssh2's disconnect callback: keeps the server's reason, in printable ASCII only (it is
    /// the server's text and ends up on the user's terminal), at most 200 characters.
    static let disconnectCallback:
        @convention(c) (
            OpaquePointer?, Int32, UnsafePointer<CChar>?, Int32, UnsafePointer<CChar>?, Int32,
            UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        ) -> Void = { _, reason, message, messageLength, _, _, abstract in
            guard let owner = abstract?.pointee else { return }
            let outbox = Unmanaged<SSHOutbox>.fromOpaque(owner).takeUnretainedValue()
            var text = ""
            if let message, messageLength > 0 {
                let bytes = UnsafeRawBufferPointer(start: message, count: Int(messageLength)).prefix(200)
                text = String(decoding: bytes.map { (0x20..<0x7F).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
            }
            outbox.serverDisconnect = text.isEmpty ? "reason code \(reason)" : text
        }
}
