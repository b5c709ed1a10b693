import AutopodSupport
import FoundationEssentials

/// Brings `pods.json` in line with what the account says, without any I/O.
public enum PodReconciler {
    /// How long a reserved name waits for its pod before the reservation is dropped. Far longer
    /// than a create and its follow-up lookups take.
    public static let pendingLifetime: TimeInterval = 15 * 60

    /// - remote: the account's pods (terminated pods are not listed).
    /// - gone: ids of recorded pods the account confirmed it does not have.
    public static func reconcile(_ state: inout PodState, remote: [RemotePod], gone: Set<String>, now: Date) {
        for index in state.pods.indices where !state.pods[index].isTerminated {
            let id = state.pods[index].id
            if let pod = remote.first(where: { $0.id == id }) {
                apply(pod, to: &state.pods[index], now: now)
            } else if gone.contains(id) {
                let record = state.pods[index]
                // Terminated without autopod (its own kill marks the record first): a guard set
                // to terminate is the likely cause, but once a pod is gone nothing says which
                // limit it reached.
                if let settings = record.guardSettings, settings.action == .terminate, !settings.isOff, record.guardStop == nil {
                    state.pods[index].guardStop = settings.limitsText
                }
                state.pods[index].markTerminated(at: now)
            }
        }
        for pod in remote where state.record(id: pod.id) == nil {
            adopt(pod, into: &state, now: now)
        }
        state.pending.removeAll { now.timeIntervalSince($0.startedAt) > pendingLifetime }
    }

    /// Records a pod of the account that pods.json does not have; a reservation of its name
    /// means autopod created it (a create whose reply was lost) and is replaced by the record.
    @discardableResult
    public static func adopt(_ pod: RemotePod, into state: inout PodState, now: Date) -> PodRecord {
        let pendingIndex = state.pending.firstIndex { $0.name == pod.name }
        // A pod made elsewhere: its start as RunPod reports it, so that `created` and the
        // runtime tell one story (not "created just now, running for 3 hours").
        let reportedStart = pod.isRunning ? (pod.lastStartedAt ?? pod.uptimeInSeconds.map { now.addingTimeInterval(-Double($0)) }) : nil
        let externalStart = reportedStart.map { min($0, now) }
        var record = PodRecord(
            id: pod.id, name: pod.name, gpuTypeId: pod.gpuTypeId ?? pod.gpuDisplayName ?? "unknown",
            gpuDisplayName: pod.gpuDisplayName ?? pod.gpuTypeId ?? "unknown", gpuCount: pod.gpuCount,
            cloudType: pendingIndex.map { state.pending[$0].cloudType } ?? .all,
            pricePerHour: pod.costPerHr ?? 0,
            createdAt: pendingIndex.map { state.pending[$0].startedAt } ?? externalStart ?? now,
            createdByAutopod: pendingIndex != nil, imageName: pod.imageName)
        if let pendingIndex {
            // A create whose reply was lost: the pod has been running since it was asked for.
            record.markRunning(at: state.pending[pendingIndex].startedAt)
            state.pending.remove(at: pendingIndex)
        } else if let externalStart {
            record.markRunning(at: externalStart)
        }
        apply(pod, to: &record, now: now)
        state.pods.append(record)
        return record
    }

    /// Updates one record from the account's view of the pod.
    public static func apply(_ pod: RemotePod, to record: inout PodRecord, now: Date) {
        record.lastStatus = pod.desiredStatus
        // A watchdog that stopped the pod left the reason in its name.
        if pod.isRunning {
            record.guardStop = nil
        } else if let reason = GuardNameMark.split(pod.name).reason {
            record.guardStop = reason
        }
        if pod.isRunning {
            record.markRunning(at: now)
            if let endpoint = pod.sshEndpoint { record.endpoint = endpoint }
        } else if pod.isStopped {
            record.markStopped(at: now)
        }
        // A pod found on the account may have had no price yet; keep the first real one.
        if record.pricePerHour == 0, let price = pod.costPerHr, price > 0 { record.pricePerHour = price }
        if record.imageName == nil { record.imageName = pod.imageName }
        // The account's sizes win: a volume can be resized after autopod recorded it.
        if let storage = pod.storage {
            record.storage.containerDiskGB = storage.containerDiskGB
            record.storage.volumeGB = storage.volumeGB
        }
    }
}
