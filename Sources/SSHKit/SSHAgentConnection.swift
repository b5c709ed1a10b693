import AutopodSupport
internal import CLibSSH2

/// Owns a libssh2 agent handle; keeps its session alive because the handle points into it.
final class SSHAgentConnection {
    let session: SSHSession
    let raw: OpaquePointer
    private var connected = false

    init(session: SSHSession, socketPath: String?) throws(SSHError) {
        guard let agent = libssh2_agent_init(session.raw) else {
            throw session.error(.authentication, "Cannot set up ssh-agent access.", code: session.lastErrorCode)
        }
        self.session = session
        self.raw = agent
        if let socketPath {
            libssh2_agent_set_identity_path(agent, socketPath)
        }
        let rc = libssh2_agent_connect(agent)
        guard rc == 0 else {
            throw session.error(
                .authentication,
                "Cannot connect to the ssh-agent at \(socketPath ?? "$SSH_AUTH_SOCK"). Is the agent running?", code: rc)
        }
        connected = true
    }

    deinit {
        if connected { libssh2_agent_disconnect(raw) }
        libssh2_agent_free(raw)
    }

    struct Identity {
        let pointer: UnsafeMutablePointer<libssh2_agent_publickey>
        let keyType: String
        let comment: String
    }

    func identities() throws(SSHError) -> [Identity] {
        let rc = libssh2_agent_list_identities(raw)
        guard rc == 0 else {
            throw session.error(.authentication, "The ssh-agent did not list its keys.", code: rc)
        }
        var result: [Identity] = []
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            let next = libssh2_agent_get_identity(raw, &identity, previous)
            guard next == 0, let identity else { break }
            let blob = Array(UnsafeBufferPointer(start: identity.pointee.blob, count: Int(identity.pointee.blob_len)))
            let comment = identity.pointee.comment.map { String(cString: $0) } ?? ""
            result.append(Identity(pointer: identity, keyType: SSHWire.firstString(blob) ?? "unknown", comment: comment))
            previous = identity
        }
        return result
    }

    func authenticate(user: String, identity: Identity) -> Int32 {
        libssh2_agent_userauth(raw, user, identity.pointer)
    }
}
