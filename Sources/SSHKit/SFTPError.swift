import AutopodSupport
/// Every failure of an SFTP operation, with the path it concerned. SFTP status codes and
/// transport failures are turned into these in one place (`init(status:...)`,
/// `init(transport:)`), so callers decide on `kind` (skip a file, reconnect, give up) and show
/// `description`, which names the path, the cause and what to do.
public struct SFTPError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        case noSuchFile
        case permissionDenied
        /// The server said no without a reason (SSH_FX_FAILURE: EEXIST, ENOTEMPTY, ENOSPC...).
        case failure
        case unsupported
        /// The connection or the SFTP channel went away: reconnecting and resuming can help.
        case connectionLost
        /// The server has no SFTP subsystem, or answered something that is not SFTP.
        case noSFTP
        /// A local file could not be read or written.
        case localFile
        /// The copy was interrupted (Ctrl+C); what is done stays done, partial files stay to resume.
        case cancelled
    }

    public let kind: Kind
    /// The SFTP status code, or nil when the failure was not a status reply.
    public let status: UInt32?
    public let path: String?
    /// What the server said (for logs); may be empty.
    public let serverMessage: String
    public let description: String
    /// The transport failure behind `.connectionLost`.
    public let transport: SSHError?

    public init(
        _ kind: Kind, _ description: String, path: String? = nil, status: UInt32? = nil, serverMessage: String = "",
        transport: SSHError? = nil
    ) {
        self.kind = kind
        self.description = description
        self.path = path
        self.status = status
        self.serverMessage = serverMessage
        self.transport = transport
    }

    /// A STATUS reply that is not OK, for `operation` ("open", "write", ...) on `path`.
    init(status code: UInt32, message: String, operation: String, path: String) {
        let status = SFTPProtocol.Status(rawValue: code)
        let detail = message.isEmpty ? "" : " (\(message))"
        switch status {
        case .noSuchFile:
            self.init(.noSuchFile, "\(path): no such file or directory", path: path, status: code, serverMessage: message)
        case .permissionDenied:
            self.init(
                .permissionDenied, "\(path): permission denied (\(operation) on the pod); check its owner and mode",
                path: path, status: code, serverMessage: message)
        case .unsupported:
            self.init(.unsupported, "\(path): the pod's SFTP server does not support \(operation)\(detail)", path: path, status: code, serverMessage: message)
        case .noConnection, .connectionLost:
            self.init(.connectionLost, "\(path): the SFTP connection was lost during \(operation)", path: path, status: code, serverMessage: message)
        default:
            self.init(
                .failure, "\(path): \(operation) failed on the pod\(detail.isEmpty ? " (the disk may be full, or the name taken)" : detail)",
                path: path, status: code, serverMessage: message)
        }
    }

    /// The SSH connection failed under an SFTP operation.
    init(transport: SSHError) {
        self.init(.connectionLost, transport.description, transport: transport)
    }

    /// A local file operation failed with `errno`.
    public static func local(_ operation: String, _ path: String, errno code: Int32) -> SFTPError {
        let text = Posix.errorString(code)
        let hint = code == 13 || code == 1 ? "; check its owner and mode" : ""
        return SFTPError(.localFile, "\(path): \(operation) failed: \(text)\(hint)", path: path, serverMessage: text)
    }

    public var isConnectionLost: Bool { kind == .connectionLost }
}
