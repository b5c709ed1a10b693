import AutopodSupport

/// Every failure SSHKit reports, as facts: what kind of failure, at which endpoint, libssh2's
/// code and message, and a sentence saying what failed in SSH terms. What a person should do
/// next depends on what the connection is for, so SSHKit gives no such advice: the program
/// using it adds its own (autopod's is `SSHError.advice` in AutopodCore).
public struct SSHError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// The host name could not be resolved.
        case nameResolution
        /// The TCP connect failed (refused, unreachable), or the endpoint could not be found.
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
        /// A new key pair could not be generated.
        case keyGeneration
        /// Opening or using a channel failed (including a refused direct-tcpip target).
        case channel
        /// The connection died (peer gone, reset, keepalive/inactivity deadline).
        case disconnected
        /// The connection is open but the server stopped answering: a liveness probe went
        /// unanswered, or sent data was not acknowledged. The link, not the server, is the
        /// likely cause. Like `.disconnected`, the session is dead.
        case unresponsive
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
    /// The server the failure concerns, when there was one.
    public let endpoint: SSHEndpoint?
    /// The libssh2 error code (negative), or 0 when libssh2 was not involved.
    public let code: Int32
    /// libssh2's own message for `code`, when it gave one.
    public let libssh2Message: String?
    /// What failed, in SSH terms, with libssh2's code and message when they are known.
    public let description: String

    public init(
        _ kind: Kind, _ description: String, endpoint: SSHEndpoint? = nil, code: Int32 = 0, libssh2Message: String? = nil
    ) {
        self.kind = kind
        self.endpoint = endpoint
        self.code = code
        self.libssh2Message = libssh2Message
        self.description = description
    }

    /// "(libssh2 -18: Username/PublicKey combination invalid)", always with the number, because
    /// some libssh2 1.10 failure paths leave the message empty.
    static func libssh2Suffix(code: Int32, message: String?) -> String {
        guard code != 0 else { return "" }
        if let message, !message.isEmpty {
            return " (libssh2 \(code): \(message))"
        }
        return " (libssh2 \(code))"
    }
}
