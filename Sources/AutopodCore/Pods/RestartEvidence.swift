import AutopodSupport
import FoundationEssentials

/// Whether a pod is known to have restarted since its host key was last checked, and how.
/// Containers make new host keys on every start, so a proven restart lets one new key in.
/// The proof comes from this machine's own record (it saw a stop and a start) or from the API,
/// trusted over TLS, which knows about restarts done anywhere (the console, another laptop).
/// Every successful check moves the markers to now, so each restart lets in one key only.
public enum RestartEvidence {
    /// RunPod's uptime can lag a little behind a start; within this it proves nothing.
    public static let uptimeSlack: Double = 15

    /// A sentence for the notice when a restart is proven, nil otherwise.
    public static func since(lastCheck record: PodRecord?, remote: RemotePod?, now: Date) -> String? {
        guard let record else { return nil }
        if let pinnedRun = record.hostKeyPinnedRun, pinnedRun < record.intervals.count {
            return "autopod saw the pod stop and start since the key was last checked"
        }
        guard let remote, remote.isRunning else { return nil }
        if let started = remote.lastStartedAt, let checkedStart = record.hostKeyCheckedStart, started > checkedStart {
            return "RunPod reports that the pod started again at \(ISO8601Timestamp.format(started, milliseconds: false)), "
                + "after the key was last checked"
        }
        if let uptime = remote.uptimeInSeconds, let checkedAt = record.hostKeyCheckedAt {
            let sinceCheck = now.timeIntervalSince(checkedAt)
            if Double(uptime) + uptimeSlack < sinceCheck {
                return "RunPod reports the pod has been up for \(uptime) s, less than the \(Int(sinceCheck)) s since the key was last checked"
            }
        }
        return nil
    }
}
