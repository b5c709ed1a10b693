import AutopodSupport

/// What the command line says about a `connect`, beyond the pod itself.
public struct ConnectSettings: Sendable, Equatable {
    /// How long to wait for SSH to answer.
    public var waitTimeout: Duration
    /// Keep a pod that did not become ready (default: terminate it so it stops billing).
    public var keepOnFailure: Bool
    /// Whether a shell follows once the pod answers.
    public var opensShell: Bool
    /// Whether stdin is a terminal, which that shell needs.
    public var hasTerminal: Bool

    public init(waitTimeout: Duration = .seconds(15 * 60), keepOnFailure: Bool = false, opensShell: Bool = false, hasTerminal: Bool = false) {
        self.waitTimeout = waitTimeout
        self.keepOnFailure = keepOnFailure
        self.opensShell = opensShell
        self.hasTerminal = hasTerminal
    }
}
