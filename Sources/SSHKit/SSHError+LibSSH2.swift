import AutopodSupport
internal import CLibSSH2

extension SSHError {
    /// The one place a libssh2 return code becomes an error. `step` is the kind of failure the
    /// caller was guarding against; the code can overrule it: once a session is up, a code that
    /// means the transport itself is gone (socket error, timeout, bad MAC, protocol error) is
    /// `.disconnected` whatever was being done, because no other channel will work either.
    init(libssh2 code: Int32, message: String?, during step: Kind, endpoint: SSHEndpoint?, _ text: String) {
        self.init(
            Self.kind(ofLibSSH2: code, during: step), text + Self.libssh2Suffix(code: code, message: message),
            endpoint: endpoint, code: code, libssh2Message: message)
    }

    /// The kind a libssh2 code makes of a failed `step`. A handshake never had a session to
    /// lose, so there only a timeout is told apart.
    static func kind(ofLibSSH2 code: Int32, during step: Kind) -> Kind {
        if step == .handshake {
            return code == LIBSSH2_ERROR_TIMEOUT ? .timeout : .handshake
        }
        return LibSSH2.isTransportFailure(code) ? .disconnected : step
    }
}
