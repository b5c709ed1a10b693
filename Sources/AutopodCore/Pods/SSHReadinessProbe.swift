import FoundationEssentials

import AutopodSupport

/// The last readiness check: does SSH really answer at the endpoint? Kept behind a protocol so
/// the banner check below can be swapped for a full libssh2 handshake and authentication.
public protocol SSHReadinessProbe: Sendable {
    /// Returns nil when SSH answered, or why not yet. Must return within about `timeout`.
    /// Throws when waiting longer cannot help (the key was refused, the host key changed).
    func check(_ endpoint: PodEndpoint, timeout: TimeInterval) throws(SSHProbeRefusal) -> String?
}

/// SSH answered but will not let autopod in; retrying cannot change that.
public struct SSHProbeRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Opens a TCP connection and reads the server's `SSH-2.0-` identification line.
/// The port being published is not enough: sshd starts a moment after it appears.
public struct BannerProbe: SSHReadinessProbe {
    public init() {}

    public func check(_ endpoint: PodEndpoint, timeout: TimeInterval) throws(SSHProbeRefusal) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Posix.streamSocketType
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, String(endpoint.port), &hints, &list) == 0, let first = list else {
            return "cannot resolve \(endpoint.host)"
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { return "no socket" }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        if connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            return "connection refused"
        }
        guard wait(fd, events: Int16(POLLOUT), until: deadline) else { return "no TCP answer" }
        var socketError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
        guard socketError == 0 else { return "TCP connect failed (\(String(cString: strerror(socketError))))" }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 256)
        while received.count < 255 {
            guard wait(fd, events: Int16(POLLIN), until: deadline) else { return "port open, no SSH banner yet" }
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { return "port open, connection closed before the SSH banner" }
            received += buffer[0..<count]
            // Servers may send other lines before the identification string (RFC 4253 §4.2).
            // Lines end in CRLF, which Swift treats as one Character, so split the bytes.
            let lines = received.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
            for line in lines where line.starts(with: Array("SSH-".utf8)) {
                return line.starts(with: Array("SSH-2.0-".utf8)) || line.starts(with: Array("SSH-1.99-".utf8))
                    ? nil : "not an SSH 2 server"
            }
        }
        return "no SSH banner"
    }

    private func wait(_ fd: Int32, events: Int16, until deadline: Date) -> Bool {
        let remaining = Int32(max(0, deadline.timeIntervalSinceNow * 1000))
        var entry = pollfd(fd: fd, events: events, revents: 0)
        let ready = poll(&entry, 1, remaining)
        return ready > 0 && entry.revents & events != 0
    }
}
