import CLibSSH2
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking libssh2 client for checking a simulated pod's sshd for real: handshake,
/// host key, public-key auth, exec, and a direct-tcpip forward. Tests only; autopod's own SSH
/// lives in SSHKit.
final class SSHProbe {
    private let fd: Int32
    private let session: OpaquePointer

    private static let initialized: Bool = {
        libssh2_init(0)
        return true
    }()

    /// Connects and completes the SSH handshake; nil when the endpoint does not answer SSH.
    init?(host: String = "127.0.0.1", port: Int, timeout: Double = 15) {
        _ = Self.initialized
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        inet_pton(AF_INET, host, &addr.sin_addr)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0, let session = libssh2_session_init_ex(nil, nil, nil, nil) else {
            close(fd)
            return nil
        }
        libssh2_session_set_timeout(session, Int(timeout * 1000))
        libssh2_session_method_pref(
            session, LIBSSH2_METHOD_HOSTKEY,
            "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521")
        guard libssh2_session_handshake(session, fd) == 0 else {
            libssh2_session_free(session)
            close(fd)
            return nil
        }
        self.fd = fd
        self.session = session
    }

    deinit {
        libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, "bye", "")
        libssh2_session_free(session)
        close(fd)
    }

    /// The server's host key blob, base64 (the second field of an OpenSSH .pub line).
    var hostKeyBase64: String {
        var length = 0
        var type: Int32 = 0
        guard let key = libssh2_session_hostkey(session, &length, &type) else { return "" }
        return Data(bytes: key, count: length).base64EncodedString()
    }

    func authenticate(user: String = "root", privateKey: String) -> Bool {
        libssh2_userauth_publickey_fromfile_ex(
            session, user, UInt32(user.utf8.count), privateKey + ".pub", privateKey, nil) == 0
    }

    /// Runs `command` and returns its stdout.
    func exec(_ command: String) -> String? {
        guard
            let channel = libssh2_channel_open_ex(
                session, "session", 7, CLIBSSH2_CHANNEL_WINDOW_DEFAULT, CLIBSSH2_CHANNEL_PACKET_DEFAULT, nil, 0)
        else { return nil }
        defer { libssh2_channel_free(channel) }
        guard libssh2_channel_process_startup(channel, "exec", 4, command, UInt32(command.utf8.count)) == 0 else {
            return nil
        }
        let output = readAll(channel)
        libssh2_channel_close(channel)
        return output
    }

    /// Opens a direct-tcpip channel to `host:port` as seen from inside the pod, sends one HTTP
    /// request and returns the whole response.
    func httpThroughForward(host: String = "localhost", port: Int) -> String? {
        guard let channel = libssh2_channel_direct_tcpip_ex(session, host, Int32(port), "127.0.0.1", 22) else { return nil }
        defer { libssh2_channel_free(channel) }
        let request = "GET / HTTP/1.0\r\nHost: \(host)\r\n\r\n"
        let written = request.withCString { libssh2_channel_write_ex(channel, 0, $0, strlen($0)) }
        guard written > 0 else { return nil }
        libssh2_channel_send_eof(channel)
        return readAll(channel)
    }

    private func readAll(_ channel: OpaquePointer) -> String {
        var output = Data()
        var buffer = [CChar](repeating: 0, count: 16384)
        while true {
            let n = libssh2_channel_read_ex(channel, 0, &buffer, buffer.count)
            if n <= 0 { break }
            output.append(Data(bytes: buffer, count: n))
        }
        return String(decoding: output, as: UTF8.self)
    }
}
