import AutopodSupport

/// The last readiness check: does SSH really answer at the endpoint? `HandshakeProbe` is the
/// one `connect` uses; the protocol lets the waiter's decisions be tested without a network.
public protocol SSHReadinessProbe: Sendable {
    /// Returns nil when SSH answered, or why not yet. Must return within about `timeout`.
    /// Throws when waiting longer cannot help (the key was refused, the host key changed).
    func check(_ endpoint: PodEndpoint, timeout: Duration) throws(SSHProbeRefusal) -> String?
}

/// SSH answered but will not let autopod in; retrying cannot change that.
public struct SSHProbeRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
