import AutopodSupport

/// A bound, listening local socket. Owned by the forwarder, not by any SSH session, so the port
/// stays bound (and clients can keep connecting) across reconnects.
final class ForwardListener: Sendable {
    let fd: Int32
    let spec: ForwardSpec
    /// Unique within its forwarder for the forwarder's life (forwards come and go).
    let index: Int
    let boundPort: Int

    var route: ForwardRoute { ForwardRoute(spec: spec, index: index) }

    init(spec: ForwardSpec, index: Int) throws(SSHError) {
        self.spec = spec
        self.index = index
        let host = spec.localHost == "localhost" ? "127.0.0.1" : spec.localHost
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(spec.localPort).bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else {
            throw SSHError(.localPort, "Cannot listen on \(spec.localHost): only IPv4 addresses and localhost are supported for local forwards.")
        }
        let fd = socket(AF_INET, Posix.streamSocketType, 0)
        guard fd >= 0 else { throw SSHError(.localPort, "Cannot create a socket for local port \(spec.localPort): \(Posix.errorString()).") }
        Posix.setCloseOnExec(fd)
        Posix.setIntOption(fd, SOL_SOCKET, SO_REUSEADDR, 1)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound != 0 {
            let err = errno
            close(fd)
            if err == EADDRINUSE {
                throw SSHError(
                    .localPort,
                    "Local port \(spec.localPort) is already in use by another program, so the forward \(spec) cannot start. "
                        + "Stop that program, or pick another local port (e.g. \(spec.localPort + 10000):\(spec.remotePort)).")
            }
            throw SSHError(.localPort, "Cannot listen on \(spec.localHost):\(spec.localPort): \(Posix.errorString(err)).")
        }
        guard listen(fd, 128) == 0 else {
            let err = errno
            close(fd)
            throw SSHError(.localPort, "Cannot listen on local port \(spec.localPort): \(Posix.errorString(err)).")
        }
        Posix.setNonBlocking(fd)
        var actual = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.fd = fd
        self.boundPort = Int(UInt16(bigEndian: actual.sin_port))
    }

    deinit {
        close(fd)
    }

    /// What one `accept` gave.
    enum Accepted {
        case client(fd: Int32, host: String, port: Int)
        /// No client is waiting.
        case none
        /// A client may be waiting but cannot be taken now (`errno`): out of descriptors or
        /// kernel memory, or the listening socket itself is broken.
        case failed(Int32)
        /// Taking one more client would leave fewer than `reserve` of the process's `limit`
        /// descriptors free.
        case reserveReached(limit: Int, reserve: Int)
    }

    /// Descriptors the forwards leave free for the rest of the process (its SSH session, the
    /// API, logs and state files, the runtime's own threads and timers, which may crash
    /// rather than fail without one): clients beyond that wait in the kernel's queue.
    static func descriptorReserve(limit: Int) -> Int { min(32, limit / 2) }

    /// When the listener rests after failed accepts (see `AcceptPause`).
    let pause = LockedValue(AcceptPause())

    /// Whether the listener should be polled and accepted on at `now`.
    func isAccepting(at now: ContinuousClock.Instant) -> Bool {
        pause.withLock { $0.allowsAccept(at: now) }
    }

    /// When a resting listener is to be polled again; nil when it is not resting.
    var resumesAt: ContinuousClock.Instant? {
        pause.withLock { $0.until }
    }

    /// Accepts one pending client.
    func accept() -> Accepted {
        let limit = Posix.openFileLimit()
        let reserve = Self.descriptorReserve(limit: limit)
        guard let free = Posix.lowestFreeDescriptor() else { return .failed(EMFILE) }
        if Int(free) >= limit - reserve { return .reserveReached(limit: limit, reserve: reserve) }
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        var client: Int32 = -1
        while client < 0 {
            client = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Libc.accept(fd, $0, &len) }
            }
            if client >= 0 { break }
            switch errno {
            case EAGAIN, EWOULDBLOCK: return .none
            // The client gave up, or a signal came: the next one may be fine.
            case EINTR, ECONNABORTED, EPROTO: continue
            case let err: return .failed(err)
            }
        }
        Posix.setCloseOnExec(client)
        Posix.setNonBlocking(client)
        Posix.setNoDelay(client)
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &addr.sin_addr, &text, socklen_t(text.count))
        let host = text.withUnsafeBufferPointer { String(validatingCString: $0.baseAddress!) ?? "127.0.0.1" }
        return .client(fd: client, host: host, port: Int(UInt16(bigEndian: addr.sin_port)))
    }
}

/// What a connection remembers of the forward it came in on.
struct ForwardRoute: Sendable {
    let spec: ForwardSpec
    let index: Int
}
