import AutopodSupport
import FoundationEssentials

/// What the cloud itself charged one pod in one time bucket (RunPod REST v2's
/// `GET /v2/billing/pods` record).
public struct BillingRecord: Sendable, Equatable {
    public var podId: String
    public var start: Date
    public var end: Date
    /// GPU time.
    public var gpu: Double
    /// CPU time (CPU pods; 0 for GPU pods).
    public var cpu: Double
    /// Container disk and volume.
    public var disk: Double
    public var total: Double

    public init(podId: String, start: Date, end: Date, gpu: Double, cpu: Double, disk: Double, total: Double) {
        self.podId = podId
        self.start = start
        self.end = end
        self.gpu = gpu
        self.cpu = cpu
        self.disk = disk
        self.total = total
    }
}
