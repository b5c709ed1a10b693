import AutopodSupport

/// A listener's rest after `accept` failed for want of a descriptor (EMFILE, ENFILE) or of
/// kernel memory (ENOBUFS, ENOMEM). The client stays in the kernel's queue, so the listening
/// socket stays readable: polling it again at once would spin the loop at full CPU without
/// carrying anything. The listener is left out of the poll for a while instead, the rest
/// doubling up to `longest` while the failures go on, and only the first failure of a run of
/// them is reported.
struct AcceptPause: Sendable {
    static let shortest = Duration.milliseconds(50)
    static let longest = Duration.seconds(2)

    /// Until when the listener is not polled; nil when it is accepting.
    private(set) var until: ContinuousClock.Instant?
    private var delay = AcceptPause.shortest
    /// Whether the last accept failed (a run of failures is reported once).
    private(set) var failing = false

    func allowsAccept(at now: ContinuousClock.Instant) -> Bool {
        until.map { now >= $0 } ?? true
    }

    /// Records a failed accept at `now`: how long the listener now rests, and whether this
    /// failure starts a new run (and should be reported).
    mutating func failed(at now: ContinuousClock.Instant) -> (rest: Duration, first: Bool) {
        let first = !failing
        if first { delay = Self.shortest }
        let rest = delay
        until = now + rest
        delay = min(delay * 2, Self.longest)
        failing = true
        return (rest, first)
    }

    /// Records a client accepted; true when this ends a run of failures.
    mutating func succeeded() -> Bool {
        defer {
            failing = false
            until = nil
        }
        return failing
    }
}
