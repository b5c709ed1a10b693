import AutopodSupport

extension PodSSH {
    /// The pod as RunPod last described it to this connection (nil before the first lookup).
    public var lastReported: RemotePod? { lastReading.current }
}
