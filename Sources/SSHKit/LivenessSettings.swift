import AutopodSupport

/// How quickly exec and the shell notice a dead link: after `probeAfterIdle` of silence the
/// server is asked to answer (see `LivenessProbe`), and given `probeReplyTimeout` to do so.
/// The defaults are the tunnel's, so every session notices a dead pod within ~8 s.
public struct LivenessSettings: Sendable, Equatable {
    public var probeAfterIdle: Duration = .seconds(3)
    public var probeReplyTimeout: Duration = .seconds(5)

    public init() {}
}
