import AutopodSupport

extension Posix {
    /// Opens a TCP connection with a deadline (non-blocking connect + poll), trying every
    /// address the name resolves to.
    static func connectTCP(to endpoint: SSHEndpoint, timeout: Duration) throws(SSHError) -> Int32 {
        let host = endpoint.host
        let port = endpoint.port
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = streamSocketType
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, String(port), &hints, &list)
        guard rc == 0, let first = list else {
            throw SSHError(
                .nameResolution, "Cannot resolve \(host): \(String(cString: gai_strerror(rc))). Check the host name and your network.",
                endpoint: endpoint)
        }
        defer { freeaddrinfo(list) }
        let deadline = Deadline.after(timeout)
        var lastError = "no address"
        var timedOut = false
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let ai = cursor {
            cursor = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, ai.pointee.ai_socktype, ai.pointee.ai_protocol)
            if fd < 0 { lastError = errorString(); continue }
            setCloseOnExec(fd)
            setNonBlocking(fd)
            var result = connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                var ready: Int32 = -1
                repeat {
                    ready = poll(&p, 1, deadline.remaining.pollMilliseconds)
                } while ready < 0 && errno == EINTR
                if ready == 0 {
                    timedOut = true
                    lastError = "timed out"
                    close(fd)
                    continue
                }
                let soError = socketError(fd)
                result = soError == 0 ? 0 : -1
                if soError != 0 { errno = soError }
            }
            if result == 0 {
                return fd
            }
            lastError = errorString()
            close(fd)
        }
        if timedOut {
            throw SSHError(.timeout, "Connecting to \(host):\(port) timed out after \(timeout.wholeSeconds) s.", endpoint: endpoint)
        }
        throw SSHError(.connect, "Cannot connect to \(host):\(port): \(lastError).", endpoint: endpoint)
    }
}
