/// What a file session tells its user while it keeps the connection up.
public enum FileSessionEvent: Sendable {
    case connected(attempt: Int)
    /// The link dropped (or would not come back yet); trying again in `retryIn` seconds.
    case reconnecting(reason: String, attempt: Int, retryIn: Duration)
}
