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

    /// Accepts one pending client, or nil when none is waiting.
    func accept() -> (fd: Int32, host: String, port: Int)? {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let client = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Libc.accept(fd, $0, &len) }
        }
        guard client >= 0 else { return nil }
        Posix.setCloseOnExec(client)
        Posix.setNonBlocking(client)
        Posix.setNoDelay(client)
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        inet_ntop(AF_INET, &addr.sin_addr, &text, socklen_t(text.count))
        let host = text.withUnsafeBufferPointer { String(validatingCString: $0.baseAddress!) ?? "127.0.0.1" }
        return (client, host, Int(UInt16(bigEndian: addr.sin_port)))
    }
}

/// What a connection remembers of the forward it came in on.
struct ForwardRoute: Sendable {
    let spec: ForwardSpec
    let index: Int
}
