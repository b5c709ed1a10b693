import AutopodSupport
import FoundationEssentials

/// What autopod needs from a GPU cloud, in terms of pods and GPUs rather than any one API.
/// RunPod has two: GraphQL (`RunPodProvider`, retired in 2027) and REST v2
/// (`RunPodRESTProvider`); `RunPodBackend` builds the one the configuration asks for, and no
/// command knows which it got.
///
/// Reads may be retried by the implementation. `createPod`, `stopPod`, `resumePod` and
/// `terminatePod` are never repeated blindly: when their outcome is unknown the error says so
/// (`ProviderError.outcomeUnknown`) and the caller finds out what happened.
public protocol CloudProvider: Sendable {
    /// Checks the credentials; returns the account id when the API names one.
    func authenticate() throws(ProviderError) -> String?
    /// Every GPU type with its prices and its stock for `gpuCount` GPUs on `cloud`.
    func gpuTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType]
    /// Places a pod. Returns as soon as the pod exists; it is not ready yet.
    func createPod(_ spec: PodSpec) throws(ProviderError) -> RemotePod
    /// One pod, or nil when the account has no such pod (terminated pods vanish).
    func pod(id: String) throws(ProviderError) -> RemotePod?
    /// Every pod on the account that is not terminated.
    func listPods() throws(ProviderError) -> [RemotePod]
    func stopPod(id: String) throws(ProviderError)
    func resumePod(id: String, gpuCount: Int) throws(ProviderError) -> RemotePod
    func terminatePod(id: String) throws(ProviderError)
    /// The SSH public keys registered on the account, one `type blob [comment]` line each.
    func publicKeys() throws(ProviderError) -> [String]
    /// Adds `line` to the account's keys, keeping the ones already there. Returns false when a
    /// key with the same blob was registered already.
    func registerPublicKey(_ line: String) throws(ProviderError) -> Bool
    /// Reads the pod's log, handing each line to `onLine` in order. Without `follow` it returns
    /// once the history has been read; with it, it keeps reading (reconnecting as needed)
    /// until `cancelled` returns true.
    func podLogs(
        id: String, request: PodLogRequest, cancelled: @escaping @Sendable () -> Bool,
        onLine: (PodLogLine) -> Void
    ) throws(ProviderError)
    /// The cloud's own charges per pod within [start, end), or nil when this API keeps no
    /// billing records (CloudProvider+Billing.swift gives that default).
    func billingRecords(from start: Date, to end: Date) throws(ProviderError) -> [BillingRecord]?
    /// The account's balance and spend rate, or nil when this API does not tell them.
    func accountSpend() throws(ProviderError) -> AccountSpend?
    /// The same, for what one data centre can place (where a network volume pins the pod).
    func gpuTypes(gpuCount: Int, cloud: CloudType, dataCenterId: String) throws(ProviderError) -> [GPUType]
    /// GPU types with the spot market's minimum bids (`GPUType.minimumBid`).
    func spotGPUTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType]
    /// Starts a stopped (or outbid) spot pod again at `bidPerGpu`, on its own machine.
    func resumeSpotPod(id: String, gpuCount: Int, bidPerGpu: Double) throws(ProviderError) -> RemotePod
    /// The account's network volumes.
    func networkVolumes() throws(ProviderError) -> [NetworkVolume]
    func createNetworkVolume(name: String, sizeGB: Int, dataCenterId: String) throws(ProviderError) -> NetworkVolume
    func deleteNetworkVolume(id: String) throws(ProviderError)
}

extension CloudProvider {
    public func publicKeys() throws(ProviderError) -> [String] {
        throw .unsupported(message: "this cloud API cannot read the account's SSH keys")
    }

    public func registerPublicKey(_ line: String) throws(ProviderError) -> Bool {
        throw .unsupported(message: "this cloud API cannot register SSH keys")
    }

    public func podLogs(
        id: String, request: PodLogRequest, cancelled: @escaping @Sendable () -> Bool,
        onLine: (PodLogLine) -> Void
    ) throws(ProviderError) {
        throw .unsupported(
            message: "pod logs need RunPod's REST v2 API, and autopod is set to use GraphQL only. "
                + "Set AUTOPOD_API=auto (or rest), or `\"api\": \"auto\"` in config.json, to read them.")
    }

    public func networkVolumes() throws(ProviderError) -> [NetworkVolume] {
        throw .unsupported(message: Self.noVolumes)
    }

    /// Where an API cannot tell stock per data centre, the cloud's stock stands for it.
    public func gpuTypes(gpuCount: Int, cloud: CloudType, dataCenterId: String) throws(ProviderError) -> [GPUType] {
        try gpuTypes(gpuCount: gpuCount, cloud: cloud)
    }

    public func createNetworkVolume(name: String, sizeGB: Int, dataCenterId: String) throws(ProviderError) -> NetworkVolume {
        throw .unsupported(message: Self.noVolumes)
    }

    public func deleteNetworkVolume(id: String) throws(ProviderError) {
        throw .unsupported(message: Self.noVolumes)
    }

    static var noVolumes: String {
        "network volumes need RunPod's REST v2 API; set AUTOPOD_API=auto or rest to manage them"
    }

    public func spotGPUTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType] {
        throw .unsupported(message: Self.noSpot)
    }

    public func resumeSpotPod(id: String, gpuCount: Int, bidPerGpu: Double) throws(ProviderError) -> RemotePod {
        throw .unsupported(message: Self.noSpot)
    }

    static var noSpot: String {
        "spot pods need RunPod's GraphQL API (REST v2 has none); set AUTOPOD_API=auto or graphql to rent them"
    }

    /// Where SSH answers on `id` right now, or nil while none is published.
    public func sshEndpoint(podId id: String) throws(ProviderError) -> PodEndpoint? {
        try pod(id: id)?.sshEndpoint
    }
}
