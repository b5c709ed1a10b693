import AutopodSupport

/// What `connect` reports while it works, for the command to show.
public enum ConnectEvent: Sendable {
    /// A step of the create: a name reserved, a type skipped, tried or passed over, the pod made.
    case launch(LaunchEvent)
    /// Waiting for the pod to answer SSH: the phase reached, and the time since the wait began.
    case waiting(name: String, phase: WaitPhase, elapsed: Duration)
    /// The wait is over, whichever way it ended (a status line can be closed).
    case waitEnded
    /// The pod is being terminated so that it stops billing.
    case terminating(name: String, id: String)
}

/// A point where the pod could keep running, and so keep billing: the one who answers
/// decides, and no answer means `PodConnector`'s rule applies.
public enum ConnectQuestion: Sendable, Equatable {
    /// Ctrl+C (or SIGTERM, SIGHUP) after the pod was created.
    case interrupted(PodRecord)
    /// The pod did not become ready: the wait timed out, or the pod stopped, cannot be reached
    /// or refused autopod.
    case notReady(PodRecord, WaitError)
}

/// The answer to a `ConnectQuestion`.
public enum ConnectChoice: Sendable, Equatable {
    case terminate
    case keep
}
