import AutopodSupport

/// Carries an SSH client's bytes to a TCP endpoint and back, unchanged: the work of a
/// `ProxyCommand` (OpenSSH runs it with the connection on its stdin and stdout). One poll loop
/// over the three descriptors and one buffer per direction, so a byte costs a read and a write
/// and nothing else.
public enum TCPRelay {
    /// How a relay ended.
    public enum Ending: Sendable, Equatable {
        /// The server closed the connection (the usual end of an SSH session).
        case serverClosed
        /// The client's side (stdin or stdout) closed and the server had nothing more to say.
        case clientClosed
        /// A read or write failed with this errno.
        case failed(String)
    }

    /// A TCP connection to `endpoint`, blocking, with Nagle off (SSH packets are small and
    /// latency-bound), opened within `timeout`.
    public static func connect(to endpoint: SSHEndpoint, timeout: Duration) throws(SSHError) -> Int32 {
        let fd = try Posix.connectTCP(to: endpoint, timeout: timeout)
        Posix.setNonBlocking(fd, false)
        Posix.setNoDelay(fd)
        return fd
    }

    /// Relays `input` → `socket` and `socket` → `output` until the server closes the socket, or
    /// the client closed its input and the server then closed too. Closes nothing but half of
    /// the socket (on the client's end of input, so the server sees EOF as with a direct
    /// connection).
    public static func run(socket: Int32, input: Int32 = 0, output: Int32 = 1) -> Ending {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        var inputOpen = true
        while true {
            var fds = [
                pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
                pollfd(fd: inputOpen ? input : -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = fds.withUnsafeMutableBufferPointer { Libc.poll($0.baseAddress, 2, -1) }
            if ready < 0 {
                if errno == EINTR { continue }
                return .failed("poll: \(Posix.errorString())")
            }
            if fds[0].revents != 0 {
                let n = read(socket, buffer, size)
                if n == 0 { return .serverClosed }
                if n < 0 {
                    if errno == EINTR || errno == EAGAIN { continue }
                    return errno == ECONNRESET ? .serverClosed : .failed("reading from the pod: \(Posix.errorString())")
                }
                if let code = Posix.writeAll(output, UnsafeRawBufferPointer(start: buffer, count: n)) {
                    return code == EPIPE ? .clientClosed : .failed("writing to the client: \(Posix.errorString(code))")
                }
            }
            if inputOpen && fds[1].revents != 0 {
                let n = read(input, buffer, size)
                if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
                if n <= 0 {
                    // The client is done sending; the server still gets to answer.
                    inputOpen = false
                    Posix.shutdownSending(socket)
                    continue
                }
                if let code = Posix.writeAll(socket, UnsafeRawBufferPointer(start: buffer, count: n)) {
                    return code == EPIPE || code == ECONNRESET ? .serverClosed : .failed("writing to the pod: \(Posix.errorString(code))")
                }
            }
        }
    }
}
