import Foundation
import AutopodSupport

/// Thin wrappers over BSD sockets for the proxy and the HTTP responders. These run on plain
/// threads (blocking I/O) so they never occupy Swift concurrency's small cooperative pool.
enum Sockets {
    /// A listening TCP socket on `host:port` (port 0 picks a free one).
    static func listen(host: String, port: UInt16, backlog: Int32 = 64) throws(SimulatorError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .socket("socket()", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = try makeAddress(host: host, port: port)
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(fd)
            throw .socket("bind(\(host):\(port))", errno: code)
        }
        guard Libc.listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            throw .socket("listen(\(host):\(port))", errno: code)
        }
        return fd
    }

    /// Connects to `host:port`, giving up after `timeout` seconds; returns nil on failure.
    static func connect(host: String, port: UInt16, timeout: Double) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0, var addr = try? makeAddress(host: host, port: port) else { return nil }
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Libc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if result != 0 {
            guard errno == EINPROGRESS else { close(fd); return nil }
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&pfd, 1, Int32(timeout * 1000)) == 1 else { close(fd); return nil }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else { close(fd); return nil }
        }
        _ = fcntl(fd, F_SETFL, flags)
        setNoDelay(fd)
        return fd
    }

    /// Accepts on `listener` until it is shut down, handing each client (close-on-exec) to
    /// `handle` on the calling thread.
    static func acceptUntilClosed(_ listener: Int32, _ handle: (Int32) -> Void) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            handle(client)
        }
    }

    static func localPort(_ fd: Int32) -> UInt16 {
        var addr = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: addr.sin_port)
    }

    static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    static func setReceiveTimeout(_ fd: Int32, seconds: Int) {
        var tv = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sets TCP_NODELAY on this process's listening socket for `port`; Linux passes the option
    /// on to accepted connections. FlyingFox writes a response's header and body separately and
    /// does not set it, so without this Nagle's algorithm meets the client's delayed ACK and
    /// every API reply waits ~40 ms.
    static func setNoDelayOnListener(port: UInt16) {
        for fd in Int32(3)..<Int32(4096) {
            var listening: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0, listening == 1 else { continue }
            var addr = sockaddr_in()
            var addrLength = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &addrLength) }
            }
            guard named == 0, addr.sin_family == sa_family_t(AF_INET), UInt16(bigEndian: addr.sin_port) == port else { continue }
            setNoDelay(fd)
        }
    }

    /// Writes all of `bytes`, returning false when the peer is gone.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    /// Whether something accepts TCP connections on `host:port` right now.
    static func isAccepting(host: String, port: UInt16) -> Bool {
        guard let fd = connect(host: host, port: port, timeout: 0.5) else { return false }
        close(fd)
        return true
    }

    private static func makeAddress(host: String, port: UInt16) throws(SimulatorError) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { throw .socket("address \(host)", errno: EINVAL) }
        return addr
    }

    /// Moves the calling thread into the network namespace `name` (made by `ip netns add`).
    /// Network namespaces are per thread on Linux, so only this thread is affected; sockets it
    /// opens afterwards live in the pod's namespace for good.
    static func enterNetworkNamespace(_ name: String) throws(SimulatorError) {
        typealias SetNS = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "setns") else { throw .socket("setns lookup", errno: ENOSYS) }
        let setns = unsafeBitCast(symbol, to: SetNS.self)
        let fd = open("/var/run/netns/\(name)", O_RDONLY)
        guard fd >= 0 else { throw .socket("open netns \(name)", errno: errno) }
        defer { close(fd) }
        guard setns(fd, 0x4000_0000 /* CLONE_NEWNET */) == 0 else { throw .socket("setns(\(name))", errno: errno) }
    }
}
