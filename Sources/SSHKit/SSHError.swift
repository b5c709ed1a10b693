import AutopodSupport
/// Every failure SSHKit reports. `description` is written for the person at the terminal:
/// it names the cause and the next step; `code` and `libssh2Message` keep the raw facts for logs.
public struct SSHError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// Name resolution or TCP connect failed.
        case connect
        /// A connect, handshake or wait deadline passed.
        case timeout
        /// The SSH handshake (banner, key exchange) failed.
        case handshake
        /// The server's host key does not match the pinned one.
        case hostKeyChanged
        /// No usable credential was accepted by the server.
        case authentication
        /// The key is of a type libssh2 1.10 cannot use (RSA).
        case unsupportedKey
        /// A private key file could not be read or decrypted.
        case keyFile
        /// Opening or using a channel failed (including a refused direct-tcpip target).
        case channel
        /// The connection died (peer gone, reset, keepalive/inactivity deadline).
        case disconnected
        /// A local socket, pipe or file operation failed.
        case io
        /// A local forward could not listen on its port.
        case localPort
        /// An interactive shell was asked for without a terminal on stdin.
        case notATerminal
        /// The known_hosts file could not be read or written.
        case knownHostsFile
        /// A local signal (SIGTERM, SIGHUP, SIGINT) ended an interactive session.
        case interrupted
        /// What the session was for is gone for good (a terminated pod): reconnecting cannot help.
        case endpointGone
    }

    public let kind: Kind
    /// The libssh2 error code (negative), or 0 when libssh2 was not involved.
    public let code: Int32
    /// libssh2's own message for `code`, when it gave one.
    public let libssh2Message: String?
    public let description: String

    public init(_ kind: Kind, _ description: String, code: Int32 = 0, libssh2Message: String? = nil) {
        self.kind = kind
        self.code = code
        self.libssh2Message = libssh2Message
        self.description = description
    }

    /// "(libssh2 -18: Username/PublicKey combination invalid)" — always with the number, because
    /// some libssh2 1.10 failure paths leave the message empty.
    var libssh2Suffix: String {
        guard code != 0 else { return "" }
        if let libssh2Message, !libssh2Message.isEmpty {
            return " (libssh2 \(code): \(libssh2Message))"
        }
        return " (libssh2 \(code))"
    }
}
