import AutopodSupport
import Dispatch

/// Ctrl+C (or SIGTERM, SIGHUP) during `cp` and `sync`: the first signal stops the transfer
/// cleanly (what is done stays, partial files stay to resume, the summary is printed); a
/// second one exits at once with 130.
final class CancelOnSignal: Sendable {
    private let count = LockedValue(0)
    private let sources: LockedValue<[any DispatchSourceSignal]> = LockedValue([])

    func install(_ cancel: @escaping @Sendable () -> Void) {
        let made = TerminationSignals.handle { [count] _ in
            let seen = count.withLock { value -> Int in
                value += 1
                return value
            }
            if seen == 1 {
                cancel()
            } else {
                StandardStream.error.write("\ninterrupted again: exiting now; partial files stay for the next run\n")
                Libc.exit(130)
            }
        }
        sources.set(made)
    }

    var fired: Bool { count.current > 0 }
}
