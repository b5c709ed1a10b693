import AutopodSupport
import FoundationEssentials
import Logging

/// `CloudProvider` over RunPod's GraphQL API. Every document takes variables (nothing is
/// spliced into query text), queries are retried through passing failures, and mutations are
/// sent once: an unknown outcome is reported as such for the caller to resolve.
public struct RunPodProvider: CloudProvider {
    public let client: GraphQLClient
    private let logger = Logger(label: "autopod.runpod")

    public init(client: GraphQLClient) { self.client = client }

    /// The pod fields autopod reads, shared by every query and mutation that returns a pod.
    static let podFields = """
        id name desiredStatus lastStatusChange costPerHr imageName gpuCount ports
        machine { podHostId gpuDisplayName gpuTypeId }
        runtime { uptimeInSeconds ports { ip isIpPublic privatePort publicPort type } }
        """

    public func authenticate() throws(ProviderError) -> String {
        do {
            return try RunPodAccount(client: client).verifyKey()
        } catch {
            throw Self.map(error, mutation: false)
        }
    }

    public func gpuTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType] {
        // stockStatus lives inside lowestPrice, which answers for one GPU count and cloud.
        let query = """
            query GpuTypes($input: GpuLowestPriceInput!) { gpuTypes {
              id displayName memoryInGb securePrice communityPrice
              lowestPrice(input: $input) { stockStatus uninterruptablePrice availableGpuCounts }
            } }
            """
        var input: [String: JSONValue] = ["gpuCount": .number(Double(gpuCount))]
        switch cloud {
        case .secure: input["secureCloud"] = true
        case .community: input["secureCloud"] = false
        case .all: break
        }
        let data = try run(query, ["input": .object(input)], mutation: false)
        guard let list = data["gpuTypes"].arrayValue else { throw .invalidResponse(detail: "no gpuTypes in the reply") }
        return list.compactMap { Self.parseGPUType($0, gpuCount: gpuCount) }
    }

    public func createPod(_ spec: PodSpec) throws(ProviderError) -> RemotePod {
        let mutation = """
            mutation Create($input: PodFindAndDeployOnDemandInput!) { podFindAndDeployOnDemand(input: $input) {
              \(Self.podFields)
            } }
            """
        var input: [String: JSONValue] = [
            "name": .string(spec.name),
            "gpuTypeId": .string(spec.gpuTypeId),
            "gpuCount": .number(Double(spec.gpuCount)),
            "cloudType": .string(spec.cloudType.rawValue),
            "imageName": .string(spec.imageName),
            "containerDiskInGb": .number(Double(spec.containerDiskInGb)),
            "volumeInGb": .number(Double(spec.volumeInGb)),
            "volumeMountPath": .string(spec.volumeMountPath),
            "ports": .string(String(spec.ports.filter { $0 != " " })),
            // startSsh makes RunPod's images start sshd with PUBLIC_KEY as authorized_keys.
            "startSsh": true,
            "env": .array(spec.env.sorted { $0.key < $1.key }.map { .object(["key": .string($0.key), "value": .string($0.value)]) }),
        ]
        if let dc = spec.dataCenterId { input["dataCenterId"] = .string(dc) }
        logger.debug("creating pod", metadata: ["name": "\(spec.name)", "gpu": "\(spec.gpuTypeId)", "count": "\(spec.gpuCount)"])
        let data = try run(mutation, ["input": .object(input)], mutation: true)
        guard let pod = Self.parsePod(data["podFindAndDeployOnDemand"]) else {
            // A 200 without a pod and without an error: RunPod may still have placed it.
            throw .transient(message: "RunPod answered the create without a pod", outcomeUnknown: true)
        }
        return pod
    }

    public func pod(id: String) throws(ProviderError) -> RemotePod? {
        let query = "query Pod($podId: String!) { pod(input: {podId: $podId}) { \(Self.podFields) } }"
        do {
            let data = try run(query, ["podId": .string(id)], mutation: false)
            return Self.parsePod(data["pod"])
        } catch .notFound {
            return nil
        }
    }

    public func listPods() throws(ProviderError) -> [RemotePod] {
        let data = try run("query Pods { myself { pods { \(Self.podFields) } } }", [:], mutation: false)
        guard let list = data["myself"]["pods"].arrayValue else { throw .invalidResponse(detail: "no myself.pods in the reply") }
        return list.compactMap(Self.parsePod)
    }

    public func stopPod(id: String) throws(ProviderError) {
        _ = try run(
            "mutation Stop($podId: String!) { podStop(input: {podId: $podId}) { id desiredStatus } }",
            ["podId": .string(id)], mutation: true)
    }

    public func resumePod(id: String, gpuCount: Int) throws(ProviderError) -> RemotePod {
        let data = try run(
            "mutation Resume($podId: String!, $gpuCount: Int!) { podResume(input: {podId: $podId, gpuCount: $gpuCount}) { \(Self.podFields) } }",
            ["podId": .string(id), "gpuCount": .number(Double(gpuCount))], mutation: true)
        guard let pod = Self.parsePod(data["podResume"]) else {
            throw .transient(message: "RunPod answered the start without a pod", outcomeUnknown: true)
        }
        return pod
    }

    public func terminatePod(id: String) throws(ProviderError) {
        // podTerminate returns a scalar: no selection set.
        _ = try run("mutation Terminate($podId: String!) { podTerminate(input: {podId: $podId}) }", ["podId": .string(id)], mutation: true)
    }

    // MARK: - Plumbing

    private func run(_ document: String, _ variables: [String: JSONValue], mutation: Bool) throws(ProviderError) -> JSONValue {
        do {
            return try client.execute(document, variables: variables, policy: mutation ? .never : .standard)
        } catch {
            throw Self.map(error, mutation: mutation)
        }
    }

    /// RunPod's error kinds, as the provider-neutral kinds the rest of autopod uses.
    static func map(_ error: RunPodAPIError, mutation: Bool) -> ProviderError {
        switch error {
        case .unauthorized: return .unauthorized(detail: error.description)
        case .capacity(let message): return .capacity(message: message)
        case .notFound(let message): return .notFound(message: message)
        case .transient: return .transient(message: error.description, outcomeUnknown: mutation)
        case .rejected(let message): return .rejected(message: message)
        case .transport(let http):
            return .transient(message: http.description, outcomeUnknown: mutation && http.requestMayHaveArrived)
        case .invalidResponse(let detail):
            // An unreadable answer to a mutation says nothing about whether it happened.
            return mutation ? .transient(message: error.description, outcomeUnknown: true) : .invalidResponse(detail: detail)
        }
    }

    static func parseGPUType(_ value: JSONValue, gpuCount: Int = 1) -> GPUType? {
        guard let id = value["id"].stringValue, id != "unknown" else { return nil }
        let lowest = value["lowestPrice"]
        var stock = StockStatus(api: lowest["stockStatus"].stringValue)
        // RunPod answers null rather than "None" when no machine can take this many GPUs;
        // the list of placeable counts then says so.
        if stock == nil, let counts = lowest["availableGpuCounts"].arrayValue, !counts.contains(.number(Double(gpuCount))) {
            stock = .outOfStock
        }
        return GPUType(
            id: id,
            displayName: value["displayName"].stringValue ?? id,
            memoryInGb: value["memoryInGb"].intValue ?? 0,
            securePrice: value["securePrice"].doubleValue.flatMap { $0 > 0 ? $0 : nil },
            communityPrice: value["communityPrice"].doubleValue.flatMap { $0 > 0 ? $0 : nil },
            stock: stock,
            lowestPrice: value["lowestPrice"]["uninterruptablePrice"].doubleValue.flatMap { $0 > 0 ? $0 : nil })
    }

    static func parsePod(_ value: JSONValue) -> RemotePod? {
        guard let id = value["id"].stringValue else { return nil }
        let runtime = value["runtime"]
        let mappings: [PortMapping] = (runtime["ports"].arrayValue ?? []).compactMap { port in
            guard let ip = port["ip"].stringValue, let privatePort = port["privatePort"].intValue,
                let publicPort = port["publicPort"].intValue
            else { return nil }
            return PortMapping(
                ip: ip, isIpPublic: port["isIpPublic"].boolValue ?? false, privatePort: privatePort,
                publicPort: publicPort, type: port["type"].stringValue ?? "")
        }
        return RemotePod(
            id: id,
            name: value["name"].stringValue ?? "",
            desiredStatus: value["desiredStatus"].stringValue ?? "UNKNOWN",
            lastStatusChange: value["lastStatusChange"].stringValue,
            costPerHr: value["costPerHr"].doubleValue,
            imageName: value["imageName"].stringValue,
            gpuCount: value["gpuCount"].intValue ?? 0,
            gpuTypeId: value["machine"]["gpuTypeId"].stringValue,
            gpuDisplayName: value["machine"]["gpuDisplayName"].stringValue,
            ports: value["ports"].stringValue,
            podHostId: value["machine"]["podHostId"].stringValue,
            hasRuntime: !runtime.isNull,
            uptimeInSeconds: runtime["uptimeInSeconds"].intValue,
            portMappings: mappings)
    }
}
