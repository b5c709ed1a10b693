import AutopodSupport
import FoundationEssentials
import Logging

/// autopod's default backend: REST v2 for everything it covers, GraphQL only for what v2 lacks
/// (the account's id, and GPU stock and a create across both clouds at once, the ALL cloud).
/// An API that turns out to be gone (GraphQL answering 404 or 410 once RunPod retires it, or a
/// server without REST v2) is passed over for the rest of the process: the other one does the
/// call, so autopod keeps working when GraphQL is switched off.
public final class RunPodAutoProvider: CloudProvider {
    public let rest: RunPodRESTProvider
    public let graphQL: RunPodProvider
    private let gone = LockedValue<Set<API>>([])
    private let logger = Logger(label: "autopod.api")

    enum API: String, Sendable {
        case rest = "REST v2"
        case graphQL = "GraphQL"
    }

    public init(rest: RunPodRESTProvider, graphQL: RunPodProvider) {
        self.rest = rest
        self.graphQL = graphQL
    }

    /// The key is checked where the pods are (REST v2); GraphQL, while it lives, names the account.
    public func authenticate() throws(ProviderError) -> String? {
        let usedREST = try route(.rest) { api throws(ProviderError) -> Bool in
            switch api {
            case .rest: _ = try rest.authenticate()
            case .graphQL: _ = try graphQL.authenticate()
            }
            return api == .rest
        }
        guard usedREST, !gone.current.contains(.graphQL) else { return nil }
        do {
            return try graphQL.authenticate()
        } catch .unsupported {
            markGone(.graphQL)
        } catch {
            logger.debug("GraphQL could not name the account", metadata: ["error": "\(error)"])
        }
        return nil
    }

    public func gpuTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType] {
        // One GraphQL query answers for both clouds; v2 needs one per cloud.
        try route(cloud == .all ? .graphQL : .rest) { api throws(ProviderError) in
            api == .rest ? try rest.gpuTypes(gpuCount: gpuCount, cloud: cloud) : try graphQL.gpuTypes(gpuCount: gpuCount, cloud: cloud)
        }
    }

    /// A 404 or 410 means the endpoint is not there, so nothing was created and the other API
    /// may try: no create is ever sent twice.
    public func createPod(_ spec: PodSpec) throws(ProviderError) -> RemotePod {
        // GraphQL places an ALL-cloud pod on either cloud in one call; v2 tries one, then the other.
        // v2 has no spot pods at all: a bid goes to GraphQL.
        try route(spec.cloudType == .all || spec.bidPerGpu != nil ? .graphQL : .rest) { api throws(ProviderError) in
            api == .rest ? try rest.createPod(spec) : try graphQL.createPod(spec)
        }
    }

    public func networkVolumes() throws(ProviderError) -> [NetworkVolume] { try rest.networkVolumes() }

    public func createNetworkVolume(name: String, sizeGB: Int, dataCenterId: String) throws(ProviderError) -> NetworkVolume {
        try rest.createNetworkVolume(name: name, sizeGB: sizeGB, dataCenterId: dataCenterId)
    }

    public func deleteNetworkVolume(id: String) throws(ProviderError) { try rest.deleteNetworkVolume(id: id) }

    /// GraphQL tells stock per data centre in one query.
    public func gpuTypes(gpuCount: Int, cloud: CloudType, dataCenterId: String) throws(ProviderError) -> [GPUType] {
        try route(.graphQL) { api throws(ProviderError) in
            api == .rest
                ? try rest.gpuTypes(gpuCount: gpuCount, cloud: cloud)
                : try graphQL.gpuTypes(gpuCount: gpuCount, cloud: cloud, dataCenterId: dataCenterId)
        }
    }

    public func spotGPUTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType] {
        try graphQL.spotGPUTypes(gpuCount: gpuCount, cloud: cloud)
    }

    public func resumeSpotPod(id: String, gpuCount: Int, bidPerGpu: Double) throws(ProviderError) -> RemotePod {
        try graphQL.resumeSpotPod(id: id, gpuCount: gpuCount, bidPerGpu: bidPerGpu)
    }

    public func pod(id: String) throws(ProviderError) -> RemotePod? {
        let found = try route(.rest) { api throws(ProviderError) in api == .rest ? try rest.pod(id: id) : try graphQL.pod(id: id) }
        // v2 says a pod stopped but not why; GraphQL's lastStatusChange tells a preemption
        // ("Outbid") from a stop, so a stopped pod is asked about there too while it lives.
        guard var pod = found, pod.isStopped, pod.lastStatusChange == nil, !gone.current.contains(.graphQL),
            let detail = try? graphQL.pod(id: id)
        else { return found }
        pod.lastStatusChange = detail.lastStatusChange
        pod.isSpot = detail.isSpot
        return pod
    }

    public func listPods() throws(ProviderError) -> [RemotePod] {
        try route(.rest) { api throws(ProviderError) in api == .rest ? try rest.listPods() : try graphQL.listPods() }
    }

    public func stopPod(id: String) throws(ProviderError) {
        try route(.rest) { api throws(ProviderError) in api == .rest ? try rest.stopPod(id: id) : try graphQL.stopPod(id: id) }
    }

    public func resumePod(id: String, gpuCount: Int) throws(ProviderError) -> RemotePod {
        // v2's start takes no GPU count: a zero-GPU start (to reach the volume) is GraphQL's.
        try route(gpuCount == 0 ? .graphQL : .rest) { api throws(ProviderError) in
            api == .rest ? try rest.resumePod(id: id, gpuCount: gpuCount) : try graphQL.resumePod(id: id, gpuCount: gpuCount)
        }
    }

    public func terminatePod(id: String) throws(ProviderError) {
        try route(.rest) { api throws(ProviderError) in
            api == .rest ? try rest.terminatePod(id: id) : try graphQL.terminatePod(id: id)
        }
    }

    public func publicKeys() throws(ProviderError) -> [String] {
        try route(.rest) { api throws(ProviderError) in api == .rest ? try rest.publicKeys() : try graphQL.publicKeys() }
    }

    public func registerPublicKey(_ line: String) throws(ProviderError) -> Bool {
        try route(.rest) { api throws(ProviderError) in
            api == .rest ? try rest.registerPublicKey(line) : try graphQL.registerPublicKey(line)
        }
    }

    /// Only v2 has pod logs.
    public func podLogs(
        id: String, request: PodLogRequest, cancelled: @escaping @Sendable () -> Bool, onLine: (PodLogLine) -> Void
    ) throws(ProviderError) {
        try rest.podLogs(id: id, request: request, cancelled: cancelled, onLine: onLine)
    }

    /// Runs `call` on `first`, or on the other API when `first` is gone (found so earlier in
    /// this process, or now, by its `.unsupported` answer).
    private func route<T>(_ first: API, _ call: (API) throws(ProviderError) -> T) throws(ProviderError) -> T {
        let other: API = first == .rest ? .graphQL : .rest
        let known = gone.current
        if known.contains(first) && !known.contains(other) { return try call(other) }
        do {
            return try call(first)
        } catch .unsupported(let message) {
            guard !known.contains(other) else { throw .unsupported(message: message) }
            markGone(first)
            return try call(other)
        }
    }

    private func markGone(_ api: API) {
        gone.withLock { _ = $0.insert(api) }
        logger.debug("\(api.rawValue) is not available here; using the other API from now on")
    }
}
