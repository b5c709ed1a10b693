import AutopodSupport
import FoundationEssentials

/// What autopod needs from a GPU cloud, in terms of pods and GPUs rather than any one API.
/// RunPod's GraphQL API is the implementation today (`RunPodProvider`); a REST v2 backend can
/// sit beside it without the commands noticing.
///
/// Reads may be retried by the implementation. `createPod`, `stopPod`, `resumePod` and
/// `terminatePod` are never repeated blindly: when their outcome is unknown the error says so
/// (`ProviderError.outcomeUnknown`) and the caller finds out what happened.
public protocol CloudProvider: Sendable {
    /// Checks the credentials; returns the account id.
    func authenticate() throws(ProviderError) -> String
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
}

extension CloudProvider {
    /// Where SSH answers on `id` right now, or nil while none is published.
    public func sshEndpoint(podId id: String) throws(ProviderError) -> PodEndpoint? {
        try pod(id: id)?.sshEndpoint
    }
}
