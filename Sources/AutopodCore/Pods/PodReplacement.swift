import AutopodSupport
import FoundationEssentials

/// A new pod made like a recorded one (GPU type and count, cloud, image, disks), on its network
/// volume when it has one: what recovery rents after a preemption and what `start --new-pod`
/// makes when the old pod's machine is full.
public struct PodReplacement: Sendable {
    public var manager: PodManager
    /// The config's settings (ports, PUBLIC_KEY) for what the record does not say.
    public var base: LaunchOptions

    public init(manager: PodManager, base: LaunchOptions) {
        self.manager = manager
        self.base = base
    }

    /// Creates the pod (it is not ready yet) and records it. `fallback` GPU types are tried
    /// after the record's own.
    public func launch(
        like record: PodRecord, volume: NetworkVolume?, spot: SpotBid?, fallback: [String] = [],
        events: (LaunchEvent) -> Void = { _ in }
    ) throws -> PodRecord {
        var options = base
        options.gpuNames = [record.gpuTypeId] + fallback.filter { $0 != record.gpuTypeId }
        options.gpuCount = max(1, record.gpuCount)
        options.cloud = record.cloudType
        if let image = record.imageName { options.image = image }
        if record.storage.containerDiskGB > 0 { options.containerDiskGB = record.storage.containerDiskGB }
        options.volumeGB = record.storage.volumeGB
        options.spot = spot
        options.name = nil
        if let volume {
            options.networkVolume = volume
            options.dataCenterId = volume.dataCenterId
            options.volumeGB = 0
        }
        let launcher = PodLauncher(provider: manager.provider, store: manager.store)
        return try launcher.launch(try launcher.plan(options), events: events)
    }

    /// The record's network volume as the account has it now (nil when it has none).
    public func volume(of record: PodRecord) throws -> NetworkVolume? {
        guard let id = record.networkVolumeId else { return nil }
        guard let volume = try manager.provider.networkVolumes().first(where: { $0.id == id }) else {
            throw ProviderError.notFound(message: "network volume \(id) of \(record.name) is no longer on the account")
        }
        return volume
    }
}
