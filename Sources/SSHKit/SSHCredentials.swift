import AutopodSupport
/// What to authenticate with. Key files are tried first, in order, then the agent.
public struct SSHCredentials: Sendable, Equatable {
    /// Private key files (OpenSSH or PEM format, ed25519 or ECDSA).
    public var keyFiles: [String]
    /// Whether to offer the ssh-agent's identities.
    public var useAgent: Bool
    /// The agent socket; nil means `$SSH_AUTH_SOCK`.
    public var agentSocketPath: String?

    public init(keyFiles: [String] = [], useAgent: Bool = true, agentSocketPath: String? = nil) {
        self.keyFiles = keyFiles
        self.useAgent = useAgent
        self.agentSocketPath = agentSocketPath
    }
}
