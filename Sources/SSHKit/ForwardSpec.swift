import AutopodSupport
/// One `-L` style forward: connections to localHost:localPort are carried to remoteHost:remotePort
/// as seen from the SSH server.
public struct ForwardSpec: Sendable, Hashable, CustomStringConvertible {
    public var localHost: String
    /// 0 picks a free port (see `PortForwarder.boundPorts`).
    public var localPort: Int
    public var remoteHost: String
    public var remotePort: Int

    public init(localPort: Int, remoteHost: String = "localhost", remotePort: Int, localHost: String = "127.0.0.1") {
        self.localHost = localHost
        self.localPort = localPort
        self.remoteHost = remoteHost
        self.remotePort = remotePort
    }

    public var description: String { "\(localHost):\(localPort) → \(remoteHost):\(remotePort)" }
}

/// Counters for one forward.
public struct ForwardStats: Sendable, Equatable {
    public var spec: ForwardSpec
    public var activeConnections = 0
    public var totalConnections = 0
    /// Connections that could not be carried (remote refused, or no session for too long).
    public var refusedConnections = 0
    /// Bytes from local clients to the remote side.
    public var bytesToRemote: UInt64 = 0
    /// Bytes from the remote side to local clients.
    public var bytesToLocal: UInt64 = 0
}

/// What a supervised tunnel reports as it goes.
public enum TunnelEvent: Sendable {
    case connecting(attempt: Int)
    case connected(SSHEndpoint)
    /// The session died; reconnecting after `retryIn`.
    case disconnected(SSHError, retryIn: Duration)
    /// A local client could not be carried; `reason` says why.
    case connectionRefused(ForwardSpec, reason: String)
    /// The forward's listener cannot accept clients for now (no descriptors left); it rests and
    /// tries again. Reported once per run of failures.
    case acceptFailed(ForwardSpec, reason: String)
}
