import AutopodSupport
import FoundationEssentials

/// A pod's state in words a user acts on, derived from RunPod's fields the way runpodctl
/// does: RUNNING with a runtime is running; RUNNING without one is still starting.
public enum PodStatus: String, Sendable, Codable {
    case running = "RUNNING"
    case starting = "STARTING"
    case stopped = "STOPPED"
    case terminated = "TERMINATED"
    case unknown = "UNKNOWN"

    public static func of(remote: RemotePod?, record: PodRecord?) -> PodStatus {
        if let record, record.isTerminated { return .terminated }
        // Without a fresh reading, the status autopod last saw (or set by stop/start) stands.
        let status = remote?.desiredStatus ?? record?.lastStatus ?? ""
        switch status.uppercased() {
        case "RUNNING":
            guard let remote else { return record?.endpoint != nil ? .running : .starting }
            return remote.hasRuntime ? .running : .starting
        case "EXITED", "PAUSED", "DEAD", "STOPPED": return .stopped
        case "TERMINATED": return .terminated
        case "CREATED", "RESTARTING": return .starting
        default: return .unknown
        }
    }
}

/// One pod as the commands show it: what autopod recorded plus what the account says now.
public struct PodView: Sendable {
    public var record: PodRecord
    public var remote: RemotePod?
    public var status: PodStatus
    public var runningSeconds: Double
    /// Dollars so far, GPUs and storage.
    public var cost: Double { costs.total }
    /// Dollars so far, compute and storage apart.
    public var costs: PodCost.Breakdown

    /// "stopped by autopod: idle 60 min" when the pod's guard stopped (or terminated) it.
    public var guardNote: String? {
        guard let reason = record.guardStop, status == .stopped || status == .terminated else { return nil }
        return (status == .terminated ? "terminated" : "stopped") + " by autopod: " + reason
    }

    public init(record: PodRecord, remote: RemotePod?, now: Date) {
        self.record = record
        self.remote = remote
        self.status = PodStatus.of(remote: remote, record: record)
        let uptime = remote.flatMap { $0.isRunning ? $0.uptimeInSeconds : nil }
        self.runningSeconds = PodCost.runningSeconds(record, now: now, reportedUptime: uptime)
        self.costs = PodCost.breakdown(record, now: now, reportedUptime: uptime)
    }
}
