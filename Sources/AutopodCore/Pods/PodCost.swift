import AutopodSupport
import FoundationEssentials

/// What a pod has cost: price at creation × running time autopod measured.
///
/// RunPod's own figures are unreliable (`uptimeSeconds` reads 0, `costPerHr` reads 0 for some
/// pods), so the running time comes from the intervals autopod recorded. For the interval that
/// is still open, `runtime.uptimeInSeconds` is a cross-check: autopod's clock can start late
/// (a pod found on the account, or started from the console) while RunPod's uptime restarts
/// with every container restart. Each can only undercount what was billed, so the larger of
/// the two is taken.
public enum PodCost {
    /// Seconds the pod has been running in all, as of `now`.
    public static func runningSeconds(_ record: PodRecord, now: Date, reportedUptime: Int? = nil) -> Double {
        var total = 0.0
        for interval in record.intervals {
            if let end = interval.end {
                total += max(0, end.timeIntervalSince(interval.start))
            } else {
                let measured = max(0, now.timeIntervalSince(interval.start))
                total += max(measured, Double(reportedUptime ?? 0))
            }
        }
        return total
    }

    /// Dollars so far.
    public static func cost(_ record: PodRecord, now: Date, reportedUptime: Int? = nil) -> Double {
        record.pricePerHour * runningSeconds(record, now: now, reportedUptime: reportedUptime) / 3600
    }
}
