import AutopodSupport

/// The pod refused to take the key: its authorized_keys could not be written.
public struct KeyAuthorizationError: Error, Sendable, CustomStringConvertible {
    public let podName: String
    public let exitCode: Int32
    public var description: String {
        "adding the key to \(podName)'s ~/.ssh/authorized_keys failed (the shell exited \(exitCode))"
    }
}
