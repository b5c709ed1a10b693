import AutopodSupport
import FoundationEssentials
import Logging

/// `CloudProvider` over RunPod's REST API v2, the successor of GraphQL (see
/// reference/runpod-rest-v2.md and RunPod's OpenAPI document, `api-reference-v2/openapi.json`).
/// The same guarantees as `RunPodProvider`: reads retried, mutations sent once (an unknown
/// outcome is reported as such for the caller to resolve), errors in the same kinds.
///
/// v2 knows only SECURE and COMMUNITY, so the ALL cloud is made of both: stock is the better of
/// the two, and a create that finds no machine on SECURE tries COMMUNITY.
public struct RunPodRESTProvider: CloudProvider {
    public let client: RESTClient
    /// Opens the log streams (a handle of its own, so a long stream holds up no other call).
    public let streams: CurlStreamingClient
    private let logger = Logger(label: "autopod.rest")

    public init(client: RESTClient, streams: CurlStreamingClient = CurlStreamingClient()) {
        self.client = client
        self.streams = streams
    }

    /// v2 has no call that names the account; reading its SSH keys proves the key works.
    public func authenticate() throws(ProviderError) -> String? {
        _ = try client.get("/v2/account/ssh-keys")
        return nil
    }

    public func gpuTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType] {
        switch cloud {
        case .secure, .community:
            return try catalog(gpuCount: gpuCount, cloud: cloud)
        case .all:
            let secure = try catalog(gpuCount: gpuCount, cloud: .secure)
            let community = try catalog(gpuCount: gpuCount, cloud: .community)
            return Self.merge(secure: secure, community: community)
        }
    }

    /// `GET /v2/catalog/gpus` with the stock for `gpuCount` GPUs on one cloud.
    func catalog(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType] {
        let reply = try client.get(
            "/v2/catalog/gpus",
            query: [("include", "AVAILABILITY"), ("product", "POD"), ("count", "\(gpuCount)"), ("cloud", cloud.rawValue)])
        guard let list = reply["gpus"].arrayValue else { throw .invalidResponse(detail: "no gpus in the catalog reply") }
        return list.compactMap { Self.parseGPUType($0, cloud: cloud) }
    }

    public func createPod(_ spec: PodSpec) throws(ProviderError) -> RemotePod {
        // v2's create has no bid (its schema refuses unknown properties): spot is GraphQL's.
        if spec.bidPerGpu != nil { throw .unsupported(message: Self.noSpot) }
        guard spec.cloudType == .all else { return try create(spec, cloud: spec.cloudType) }
        // A capacity error means nothing was placed, so the second create is not a repeat.
        do {
            return try create(spec, cloud: .secure)
        } catch .capacity(let message) {
            logger.debug("no machine on SECURE; trying COMMUNITY", metadata: ["name": "\(spec.name)", "detail": "\(message)"])
            return try create(spec, cloud: .community)
        }
    }

    private func create(_ spec: PodSpec, cloud: CloudType) throws(ProviderError) -> RemotePod {
        logger.debug(
            "creating pod", metadata: ["name": "\(spec.name)", "gpu": "\(spec.gpuTypeId)", "count": "\(spec.gpuCount)", "cloud": "\(cloud.rawValue)"])
        let reply = try client.call("POST", "/v2/pods", body: Self.createBody(spec, cloud: cloud), mutation: true)
        guard let pod = Self.parsePod(reply.body) else {
            // A 201 without a pod: RunPod may still have placed it.
            throw .transient(message: "RunPod answered the create without a pod", outcomeUnknown: true)
        }
        return pod
    }

    public func pod(id: String) throws(ProviderError) -> RemotePod? {
        do throws(ProviderError) {
            let pod = Self.parsePod(try client.get("/v2/pods/\(RESTClient.escape(id))"))
            guard let pod else { throw ProviderError.invalidResponse(detail: "no pod in the reply") }
            return pod.phase == .terminated ? nil : pod
        } catch .notFound {
            return nil
        }
    }

    public func listPods() throws(ProviderError) -> [RemotePod] {
        guard let list = try client.get("/v2/pods")["pods"].arrayValue else {
            throw .invalidResponse(detail: "no pods in the reply")
        }
        return list.compactMap(Self.parsePod).filter { $0.phase != .terminated }
    }

    public func stopPod(id: String) throws(ProviderError) {
        _ = try action("stop", id: id)
    }

    /// v2's `start` resumes with the GPU count the pod had; it takes no other.
    public func resumePod(id: String, gpuCount: Int) throws(ProviderError) -> RemotePod {
        if gpuCount == 0 {
            throw .unsupported(message: "REST v2 cannot start a pod with zero GPUs; set AUTOPOD_API=auto or graphql for that")
        }
        guard let pod = Self.parsePod(try action("start", id: id)) else {
            throw .transient(message: "RunPod answered the start without a pod", outcomeUnknown: true)
        }
        return pod
    }

    public func terminatePod(id: String) throws(ProviderError) {
        _ = try client.call("DELETE", "/v2/pods/\(RESTClient.escape(id))", body: nil, mutation: true)
    }

    /// `POST /v2/pods/{id}/action`; a 409 (not allowed in the pod's state) comes back as `.conflict`.
    private func action(_ name: String, id: String) throws(ProviderError) -> JSONValue {
        try client.call("POST", "/v2/pods/\(RESTClient.escape(id))/action", body: ["action": .string(name)], mutation: true).body
    }

    public func networkVolumes() throws(ProviderError) -> [NetworkVolume] {
        let reply = try client.get("/v2/network-volumes")
        // The list is under `networkVolumes`; a bare array is read too.
        guard let list = reply["networkVolumes"].arrayValue ?? reply.arrayValue else {
            throw .invalidResponse(detail: "no networkVolumes in the reply")
        }
        return list.compactMap(Self.parseVolume)
    }

    public func createNetworkVolume(name: String, sizeGB: Int, dataCenterId: String) throws(ProviderError) -> NetworkVolume {
        let body: JSONValue = ["name": .string(name), "size": .number(Double(sizeGB)), "dataCenter": .string(dataCenterId)]
        guard let volume = Self.parseVolume(try client.call("POST", "/v2/network-volumes", body: body, mutation: true).body) else {
            throw .transient(message: "RunPod answered the volume create without a volume", outcomeUnknown: true)
        }
        return volume
    }

    public func deleteNetworkVolume(id: String) throws(ProviderError) {
        _ = try client.call("DELETE", "/v2/network-volumes/\(RESTClient.escape(id))", body: nil, mutation: true)
    }

    static func parseVolume(_ value: JSONValue) -> NetworkVolume? {
        guard let id = value["id"].stringValue, let centre = value["dataCenter"].stringValue ?? value["dataCenterId"].stringValue
        else { return nil }
        return NetworkVolume(id: id, name: value["name"].stringValue ?? id, sizeGB: value["size"].intValue ?? 0, dataCenterId: centre)
    }

    public func publicKeys() throws(ProviderError) -> [String] {
        guard let keys = try client.get("/v2/account/ssh-keys")["keys"].arrayValue else {
            throw .invalidResponse(detail: "no keys in the reply")
        }
        return keys.compactMap(\.stringValue)
    }

    /// `PUT` replaces the whole set, so the keys already there are sent along. A PUT of a whole
    /// set can be repeated without harm, so it is retried like a read.
    public func registerPublicKey(_ line: String) throws(ProviderError) -> Bool {
        let existing = try publicKeys()
        let blob = RunPodAccount.blob(of: line)
        if existing.contains(where: { RunPodAccount.blob(of: $0) == blob }) { return false }
        let keys = (existing + [line.trimmingSpaces()]).map { JSONValue.string(String($0)) }
        _ = try client.call("PUT", "/v2/account/ssh-keys", body: ["keys": .array(keys)], mutation: false)
        return true
    }

    public func podLogs(
        id: String, request: PodLogRequest, cancelled: @escaping @Sendable () -> Bool, onLine: (PodLogLine) -> Void
    ) throws(ProviderError) {
        var follower = PodLogFollower(client: client, streams: streams, podID: id, request: request)
        follower.podGone = { () throws(ProviderError) -> Bool in try self.pod(id: id) == nil }
        try follower.run(cancelled: cancelled, onLine: onLine)
    }
}
