import AutopodSupport

/// Lets another thread stop what an `SFTPClient` is doing (Ctrl+C).
public final class SFTPCancellation: Sendable {
    let wake: WakePipe
    private let cancelled = LockedValue(false)

    init(wake: WakePipe) {
        self.wake = wake
    }

    public func cancel() {
        cancelled.set(true)
        wake.wake()
    }

    public var isCancelled: Bool { cancelled.current }
}
