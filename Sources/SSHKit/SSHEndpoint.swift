import AutopodSupport
/// Where to reach an SSH server and as whom.
public struct SSHEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String

    public init(host: String, port: Int = 22, user: String = "root") {
        self.host = host
        self.port = port
        self.user = user
    }

    /// The host field OpenSSH uses in known_hosts: the bare name for port 22, `[host]:port` otherwise.
    public var knownHostsName: String {
        KnownHostsFile.hostField(host: host, port: port)
    }

    public var description: String { "\(user)@\(host):\(port)" }
}
