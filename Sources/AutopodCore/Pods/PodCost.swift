import AutopodSupport
import FoundationEssentials

/// What a pod has cost: its GPUs (price at creation × running time autopod measured) and its
/// storage (disks per second, at the running rate while it runs and the stopped rate from its
/// creation to its termination otherwise).
///
/// RunPod's own figures are unreliable (`uptimeSeconds` reads 0, `costPerHr` reads 0 for some
/// pods), so the running time comes from the intervals autopod recorded. For the interval that
/// is still open, `runtime.uptimeInSeconds` is a cross-check: autopod's clock can start late
/// (a pod found on the account, or started from the console) while RunPod's uptime restarts
/// with every container restart. Each can only undercount what was billed, so the larger of
/// the two is taken.
public enum PodCost {
    /// Dollars, compute and storage apart.
    public struct Breakdown: Sendable, Equatable {
        public var compute: Double
        public var storage: Double
        public var total: Double { compute + storage }

        public init(compute: Double = 0, storage: Double = 0) {
            self.compute = compute
            self.storage = storage
        }

        public static func + (a: Breakdown, b: Breakdown) -> Breakdown {
            Breakdown(compute: a.compute + b.compute, storage: a.storage + b.storage)
        }
    }

    /// Seconds the pod has been running in all, as of `now`.
    public static func runningSeconds(_ record: PodRecord, now: Date, reportedUptime: Int? = nil) -> Double {
        // No end to the window: a stop another process recorded a moment "after" now still counts.
        runningSeconds(record, from: .distantPast, to: .distantFuture, now: now, reportedUptime: reportedUptime)
    }

    /// Seconds the pod was running within [start, end), with `now` closing the open interval.
    public static func runningSeconds(_ record: PodRecord, from start: Date, to end: Date, now: Date, reportedUptime: Int? = nil) -> Double {
        var total = 0.0
        for interval in record.intervals {
            var begin = interval.start
            if interval.end == nil, let reportedUptime {
                // RunPod's uptime can reach back before autopod first saw the pod running.
                begin = min(begin, now.addingTimeInterval(-Double(reportedUptime)))
            }
            total += overlap(begin, interval.end ?? now, start, end)
        }
        return total
    }

    /// Seconds the pod existed (created, not yet terminated) within [start, end).
    public static func aliveSeconds(_ record: PodRecord, from start: Date, to end: Date, now: Date) -> Double {
        overlap(record.createdAt, record.terminatedAt ?? now, start, end)
    }

    /// Dollars so far (compute and storage).
    public static func cost(_ record: PodRecord, now: Date, reportedUptime: Int? = nil) -> Double {
        breakdown(record, now: now, reportedUptime: reportedUptime).total
    }

    /// Dollars so far, compute and storage apart.
    public static func breakdown(_ record: PodRecord, now: Date, reportedUptime: Int? = nil) -> Breakdown {
        breakdown(record, from: .distantPast, to: .distantFuture, now: now, reportedUptime: reportedUptime)
    }

    /// Dollars charged within [start, end): GPUs while running; container disk while running;
    /// volume at the running rate while running and the stopped rate the rest of the pod's life.
    public static func breakdown(_ record: PodRecord, from start: Date, to end: Date, now: Date, reportedUptime: Int? = nil) -> Breakdown {
        let running = runningSeconds(record, from: start, to: end, now: now, reportedUptime: reportedUptime)
        let alive = max(running, aliveSeconds(record, from: start, to: end, now: now))
        let stopped = alive - running
        return Breakdown(
            compute: record.pricePerHour * running / 3600,
            storage: StoragePrice.perSecondRunning(record.storage) * running + StoragePrice.perSecondStopped(record.storage) * stopped)
    }

    /// What the pod costs per day while stopped: the volume (and any network volume) it keeps.
    /// Zero once terminated.
    public static func stoppedPerDay(_ record: PodRecord) -> Double {
        record.isTerminated ? 0 : StoragePrice.perSecondStopped(record.storage) * 86_400
    }

    /// Seconds [a0, a1) and [b0, b1) share.
    static func overlap(_ a0: Date, _ a1: Date, _ b0: Date, _ b1: Date) -> Double {
        max(0, min(a1, b1).timeIntervalSince(max(a0, b0)))
    }
}
