import AutopodSupport
import FoundationEssentials

/// The disks a pod is billed for besides its GPUs. RunPod charges them per second (network
/// volumes per hour) whether or not autopod is watching, and a stopped pod's volume costs twice
/// what it does while running, so a forgotten stopped pod keeps costing money.
public struct PodStorage: Codable, Sendable, Equatable {
    /// The container disk: charged while running only (it is wiped on stop).
    public var containerDiskGB: Int
    /// The pod volume (`/workspace`): charged until the pod is terminated.
    public var volumeGB: Int
    /// An attached network volume: charged at its own rate whatever the pod does.
    public var networkVolumeGB: Int

    public init(containerDiskGB: Int = 0, volumeGB: Int = 0, networkVolumeGB: Int = 0) {
        self.containerDiskGB = containerDiskGB
        self.volumeGB = volumeGB
        self.networkVolumeGB = networkVolumeGB
    }

    public static let none = PodStorage()

    public var isEmpty: Bool { containerDiskGB == 0 && volumeGB == 0 && networkVolumeGB == 0 }
}

/// RunPod's storage prices in dollars per GB per month (its pricing pages). A month is 30 days,
/// as RunPod's per-second storage billing counts it.
public enum StoragePrice {
    public static let containerDiskRunning = 0.10
    public static let volumeRunning = 0.10
    public static let volumeStopped = 0.20
    public static let networkVolume = 0.07
    /// The rate for a network volume of 1 TB or more.
    public static let networkVolumeLarge = 0.05
    public static let secondsPerMonth = 30.0 * 86_400

    /// $/GB/month for a network volume of `gigabytes`.
    public static func networkVolume(gigabytes: Int) -> Double {
        gigabytes >= 1000 ? networkVolumeLarge : networkVolume
    }

    /// Dollars per second for `storage` while the pod runs.
    public static func perSecondRunning(_ storage: PodStorage) -> Double {
        (Double(storage.containerDiskGB) * containerDiskRunning + Double(storage.volumeGB) * volumeRunning
            + Double(storage.networkVolumeGB) * networkVolume(gigabytes: storage.networkVolumeGB)) / secondsPerMonth
    }

    /// Dollars per second for `storage` while the pod is stopped (and not yet terminated).
    public static func perSecondStopped(_ storage: PodStorage) -> Double {
        (Double(storage.volumeGB) * volumeStopped + Double(storage.networkVolumeGB) * networkVolume(gigabytes: storage.networkVolumeGB))
            / secondsPerMonth
    }
}
