import AutopodSupport
internal import CLibSSH2

/// Process-wide libssh2 state.
enum LibSSH2 {
    /// Default channel window (libssh2's LIBSSH2_CHANNEL_WINDOW_DEFAULT, a macro Swift cannot see).
    static let defaultWindow = UInt32(CLIBSSH2_CHANNEL_WINDOW_DEFAULT)
    static let defaultPacket = UInt32(CLIBSSH2_CHANNEL_PACKET_DEFAULT)

    static let eagain = Int32(LIBSSH2_ERROR_EAGAIN)

    /// Codes that mean the transport itself is gone, as opposed to one channel failing.
    static func isTransportFailure(_ code: Int32) -> Bool {
        switch code {
        case LIBSSH2_ERROR_SOCKET_NONE, LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_RECV,
            LIBSSH2_ERROR_SOCKET_DISCONNECT, LIBSSH2_ERROR_SOCKET_TIMEOUT, LIBSSH2_ERROR_TIMEOUT,
            LIBSSH2_ERROR_BAD_SOCKET, LIBSSH2_ERROR_DECRYPT, LIBSSH2_ERROR_INVALID_MAC,
            LIBSSH2_ERROR_PROTO, LIBSSH2_ERROR_KEX_FAILURE, LIBSSH2_ERROR_ENCRYPT:
            return true
        default:
            return false
        }
    }
}
