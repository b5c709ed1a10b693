import AutopodSupport
import FoundationEssentials

/// What a stopped pod whose machine is full can still do (RunPod's "not enough free GPUs").
extension PodManager {
    /// Starts the pod with no GPU: RunPod can always do that on its machine, and its volume is
    /// then reachable (to copy data off). Billed for CPU and storage only.
    public func startWithoutGPUs(_ view: PodView) throws -> PodRecord {
        try store.requireWritable()
        let pod = try provider.resumePod(id: view.record.id, gpuCount: 0)
        // No GPU, so no GPU charge while it runs like this.
        return try recordRunning(view, as: pod, pricePerHour: pod.costPerHr ?? 0)
    }
}
