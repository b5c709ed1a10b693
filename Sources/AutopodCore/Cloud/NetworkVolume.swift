import AutopodSupport
import FoundationEssentials

/// A network volume: storage in one data centre that outlives every pod. A pod that mounts it
/// is placed in that data centre, and any later pod there can mount it again.
public struct NetworkVolume: Sendable, Equatable {
    public var id: String
    public var name: String
    public var sizeGB: Int
    public var dataCenterId: String

    /// What RunPod charges a month for it, whether or not a pod uses it.
    public var monthlyCost: Double { Double(sizeGB) * StoragePrice.networkVolume(gigabytes: sizeGB) }
}
