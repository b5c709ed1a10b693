import AutopodSupport
import FoundationEssentials

/// What a stopped pod whose machine is full can still do (RunPod's "not enough free GPUs").
extension PodManager {
    /// Starts the pod with no GPU: RunPod can always do that on its machine, and its volume is
    /// then reachable (to copy data off). Billed for CPU and storage only.
    public func startWithoutGPUs(_ view: PodView) throws -> PodRecord {
        try store.requireWritable()
        let pod = try provider.resumePod(id: view.record.id, gpuCount: 0)
        let time = now()
        return try store.update { state in
            state.update(id: view.record.id) {
                $0.markRunning(at: time)
                $0.lastStatus = pod.desiredStatus
                $0.guardStop = nil
                // No GPU, so no GPU charge while it runs like this.
                $0.pricePerHour = pod.costPerHr ?? 0
                $0.endpoint = pod.sshEndpoint
            }
            return state.record(id: view.record.id) ?? view.record
        }
    }
}
