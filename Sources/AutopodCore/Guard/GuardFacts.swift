import AutopodSupport
import FoundationEssentials

/// What a pod's watchdog is told about the pod that only the account knows: its price, what it
/// has cost so far and how long it has run since it last started, all as of the moment autopod
/// writes its guard. The watchdog adds its own clock's time to these, so the laptop's clock
/// never has to agree with the pod's.
public struct GuardFacts: Sendable, Equatable {
    /// The pod's name, put back after a stop that renamed it.
    public var podName: String
    /// Dollars per hour while the pod runs: its GPUs and its disks.
    public var ratePerHour: Double
    /// Dollars the pod has cost so far.
    public var spent: Double
    /// Time since the pod last started.
    public var runtime: Duration

    /// The facts autopod has for `view` at `now`: its cost so far and its rate while running,
    /// storage included in both (as `autopod list` and `cost` count them), and the current
    /// run's length from its open running interval or RunPod's uptime, whichever is longer.
    public static func of(_ view: PodView, now: Date) -> GuardFacts {
        var runSeconds = 0.0
        if let last = view.record.intervals.last, last.end == nil {
            runSeconds = max(0, now.timeIntervalSince(last.start))
        }
        if let remote = view.remote, remote.isRunning, let uptime = remote.uptimeInSeconds {
            runSeconds = max(runSeconds, Double(uptime))
        }
        return GuardFacts(
            podName: view.record.name,
            ratePerHour: view.record.pricePerHour + StoragePrice.perSecondRunning(view.record.storage) * 3600, spent: view.cost,
            runtime: .milliseconds(Int64((runSeconds * 1000).rounded())))
    }

    /// Dollars at `runtime` from now, were the pod to keep running.
    public func spent(after elapsed: Duration) -> Double {
        spent + ratePerHour * elapsed.seconds / 3600
    }
}
