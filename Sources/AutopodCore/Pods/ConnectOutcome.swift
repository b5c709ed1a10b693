import AutopodSupport

/// How a `connect` that created a pod ended. Failures before any pod exists are thrown
/// (`LaunchError`, `ConnectRefusal`) instead: nothing bills then.
public enum ConnectOutcome: Sendable, Equatable {
    /// SSH answered; the endpoint is recorded.
    case ready(PodRecord, PodEndpoint)
    /// Interrupted after the pod was created.
    case interrupted(PodRecord, PodDisposition)
    /// The pod did not become ready.
    case notReady(PodRecord, WaitError, PodDisposition)
    /// The pod was created but pods.json could not record it; a pod autopod cannot keep track
    /// of would bill unseen, so it is terminated.
    case unrecorded(id: String, name: String, reason: String, PodDisposition)
}

/// What became of a pod that did not end up ready.
public enum PodDisposition: Sendable, Equatable {
    case terminated
    /// Kept on purpose (the user's answer, or --keep-on-failure); it bills.
    case kept
    /// It vanished from the account by itself; nothing bills.
    case gone
    /// Terminate was tried under the retry policy and failed every time: the pod still bills.
    case stillBilling(ProviderError)

    /// Whether the pod may still be running and billing.
    public var mayBill: Bool {
        switch self {
        case .kept, .stillBilling: return true
        case .terminated, .gone: return false
        }
    }
}

/// A `connect` that cannot work, refused before anything is created.
public enum ConnectRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// A shell was asked for (no --no-shell) but stdin is not a terminal: the pod would be
    /// created, waited for, and then fail at the last step while it bills.
    case shellNeedsTerminal

    public var description: String {
        switch self {
        case .shellNeedsTerminal:
            return "stdin is not a terminal, so `connect` could not open the shell it ends with; nothing was created. "
                + "Add --no-shell to create the pod and return once SSH answers, then use `autopod exec POD -- COMMAND`."
        }
    }
}
