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
        id name desiredStatus lastStatusChange lastStartedAt costPerHr imageName gpuCount ports containerDiskInGb volumeInGb podType networkVolumeId
        machine { podHostId gpuDisplayName gpuTypeId }
        runtime { uptimeInSeconds ports { ip isIpPublic privatePort publicPort type } }
        """
    /// `pod(input:)` also asks for utilisation, which RunPod documents for that query; the
    /// list leaves it out to stay small. Otherwise the same fields: `lastStartedAt` is the
    /// restart evidence a reconnecting tunnel checks a changed host key against.
    static let singlePodFields = """
        id name desiredStatus lastStatusChange lastStartedAt costPerHr imageName gpuCount ports containerDiskInGb volumeInGb podType networkVolumeId
        machine { podHostId gpuDisplayName gpuTypeId }
        runtime { uptimeInSeconds ports { ip isIpPublic privatePort publicPort type }
          gpus { id gpuUtilPercent memoryUtilPercent } container { cpuPercent memoryPercent } }
        """

    public func authenticate() throws(ProviderError) -> String? {
        do {
            return try RunPodAccount(client: client).verifyKey()
        } catch {
            throw Self.map(error, mutation: false)
        }
    }

    public func publicKeys() throws(ProviderError) -> [String] {
        do {
            return try RunPodAccount(client: client).publicKeys()
        } catch {
            throw Self.map(error, mutation: false)
        }
    }

    public func registerPublicKey(_ line: String) throws(ProviderError) -> Bool {
        do {
            return try RunPodAccount(client: client).register(publicKey: line)
        } catch {
            throw Self.map(error, mutation: true)
        }
    }

    public func gpuTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType] {
        try gpuTypes(gpuCount: gpuCount, cloud: cloud, spot: false)
    }

    /// `lowestPrice` answers for one data centre when asked.
    public func gpuTypes(gpuCount: Int, cloud: CloudType, dataCenterId: String) throws(ProviderError) -> [GPUType] {
        try gpuTypes(gpuCount: gpuCount, cloud: cloud, spot: false, dataCenterId: dataCenterId)
    }

    /// The same list with the spot market: the minimum bid for the count and cloud.
    public func spotGPUTypes(gpuCount: Int, cloud: CloudType) throws(ProviderError) -> [GPUType] {
        try gpuTypes(gpuCount: gpuCount, cloud: cloud, spot: true)
    }

    private func gpuTypes(gpuCount: Int, cloud: CloudType, spot: Bool, dataCenterId: String? = nil) throws(ProviderError) -> [GPUType] {
        // stockStatus lives inside lowestPrice, which answers for one GPU count and cloud.
        let query = """
            query GpuTypes($input: GpuLowestPriceInput!) { gpuTypes {
              id displayName memoryInGb securePrice communityPrice\(spot ? " secureSpotPrice communitySpotPrice" : "")
              lowestPrice(input: $input) { stockStatus uninterruptablePrice availableGpuCounts\(spot ? " minimumBidPrice" : "") }
            } }
            """
        var input: [String: JSONValue] = ["gpuCount": .number(Double(gpuCount))]
        switch cloud {
        case .secure: input["secureCloud"] = true
        case .community: input["secureCloud"] = false
        case .all: break
        }
        if let dataCenterId { input["dataCenterId"] = .string(dataCenterId) }
        let data = try run(query, ["input": .object(input)], mutation: false)
        guard let list = data["gpuTypes"].arrayValue else { throw .invalidResponse(detail: "no gpuTypes in the reply") }
        return list.compactMap { value in
            guard var type = Self.parseGPUType(value, gpuCount: gpuCount) else { return nil }
            if spot {
                type.minimumBid = value["lowestPrice"]["minimumBidPrice"].doubleValue.flatMap { $0 > 0 ? $0 : nil }
                let secure = value["secureSpotPrice"].doubleValue.flatMap { $0 > 0 ? $0 : nil }
                let community = value["communitySpotPrice"].doubleValue.flatMap { $0 > 0 ? $0 : nil }
                switch cloud {
                case .secure: type.spotPrice = secure
                case .community: type.spotPrice = community
                case .all: type.spotPrice = [secure, community].compactMap { $0 }.min()
                }
            }
            return type
        }
    }

    public func createPod(_ spec: PodSpec) throws(ProviderError) -> RemotePod {
        // A spot pod is rented with a bid (podRentInterruptable), on the same input otherwise.
        let field = spec.bidPerGpu == nil ? "podFindAndDeployOnDemand" : "podRentInterruptable"
        let inputType = spec.bidPerGpu == nil ? "PodFindAndDeployOnDemandInput" : "PodRentInterruptableInput"
        let mutation = """
            mutation Create($input: \(inputType)!) { \(field)(input: $input) {
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
        if let volume = spec.networkVolumeId {
            input["networkVolumeId"] = .string(volume)
            input["volumeInGb"] = 0
        }
        if let bid = spec.bidPerGpu { input["bidPerGpu"] = .number(bid) }
        logger.debug(
            "creating pod",
            metadata: [
                "name": "\(spec.name)", "gpu": "\(spec.gpuTypeId)", "count": "\(spec.gpuCount)",
                "bid": "\(spec.bidPerGpu.map { "\($0)" } ?? "on demand")",
            ])
        let data = try run(mutation, ["input": .object(input)], mutation: true)
        guard let pod = try Self.parsePod(data[field]) else {
            // A 200 without a pod and without an error: RunPod may still have placed it.
            throw .transient(message: "RunPod answered the create without a pod", outcomeUnknown: true)
        }
        return pod
    }

    public func pod(id: String) throws(ProviderError) -> RemotePod? {
        let query = "query Pod($podId: String!) { pod(input: {podId: $podId}) { \(Self.singlePodFields) } }"
        do {
            let data = try run(query, ["podId": .string(id)], mutation: false)
            return try Self.parsePod(data["pod"])
        } catch .notFound {
            return nil
        }
    }

    public func listPods() throws(ProviderError) -> [RemotePod] {
        let data = try run("query Pods { myself { pods { \(Self.podFields) } } }", [:], mutation: false)
        guard let list = data["myself"]["pods"].arrayValue else { throw .invalidResponse(detail: "no myself.pods in the reply") }
        var pods: [RemotePod] = []
        for value in list {
            if let pod = try Self.parsePod(value) { pods.append(pod) }
        }
        return pods
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
        guard let pod = try Self.parsePod(data["podResume"]) else {
            throw .transient(message: "RunPod answered the start without a pod", outcomeUnknown: true)
        }
        return pod
    }

    public func resumeSpotPod(id: String, gpuCount: Int, bidPerGpu: Double) throws(ProviderError) -> RemotePod {
        let data = try run(
            """
            mutation BidResume($podId: String!, $bidPerGpu: Float!, $gpuCount: Int!) {
              podBidResume(input: {podId: $podId, bidPerGpu: $bidPerGpu, gpuCount: $gpuCount}) { \(Self.podFields) }
            }
            """,
            ["podId": .string(id), "bidPerGpu": .number(bidPerGpu), "gpuCount": .number(Double(gpuCount))], mutation: true)
        guard let pod = try Self.parsePod(data["podBidResume"]) else {
            throw .transient(message: "RunPod answered the bid resume without a pod", outcomeUnknown: true)
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
        case .gone: return .unsupported(message: error.description)
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

    /// The pod in a reply; nil when there is none. Its numbers are the server's: a port that is
    /// not a whole number in 0...65535 (say `1e300`) makes the reply invalid rather than crashing
    /// the conversion. An id that is not shaped like RunPod's is refused (see `PodID`): it would
    /// reach file names and known_hosts.
    static func parsePod(_ value: JSONValue) throws(ProviderError) -> RemotePod? {
        guard let id = value["id"].stringValue else { return nil }
        guard PodID.isValid(id) else {
            throw .invalidResponse(
                detail: "the API returned a pod id that is not a RunPod id (\(PodID.quoted(id))); autopod refuses to use it")
        }
        let runtime = value["runtime"]
        var mappings: [PortMapping] = []
        for port in runtime["ports"].arrayValue ?? [] {
            guard let ip = port["ip"].stringValue, !port["privatePort"].isNull, !port["publicPort"].isNull else { continue }
            guard let privatePort = port["privatePort"].intValue, let publicPort = port["publicPort"].intValue,
                (0...65535).contains(privatePort), (0...65535).contains(publicPort)
            else {
                throw .invalidResponse(detail: "pod \(id.terminalSafe) has a port that is not a port number in the reply")
            }
            mappings.append(
                PortMapping(
                    ip: ip, isIpPublic: port["isIpPublic"].boolValue ?? false, privatePort: privatePort,
                    publicPort: publicPort, type: port["type"].stringValue ?? ""))
        }
        var pod = RemotePod(
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
            portMappings: mappings,
            utilization: parseUtilization(runtime),
            containerDiskGB: value["containerDiskInGb"].intValue,
            volumeGB: value["volumeInGb"].intValue,
            lastStartedAt: value["lastStartedAt"].stringValue.flatMap(Self.parseStartTime), isSpot: value["podType"].stringValue == "INTERRUPTABLE")
        pod.networkVolumeId = value["networkVolumeId"].stringValue
        return pod
    }

    /// `runtime.gpus` and `runtime.container`, when the query asked for them.
    static func parseUtilization(_ runtime: JSONValue) -> PodUtilization? {
        let gpus = runtime["gpus"].arrayValue
        let container = runtime["container"]
        guard gpus != nil || !container.isNull else { return nil }
        return PodUtilization(
            gpus: (gpus ?? []).map { PodUtilization.GPU(util: $0["gpuUtilPercent"].intValue, memoryUtil: $0["memoryUtilPercent"].intValue) },
            cpu: container["cpuPercent"].intValue, memory: container["memoryPercent"].intValue)
    }

    /// `lastStartedAt` as ISO 8601 or in the Go form RunPod's REST replies use
    /// (`2026-08-20 06:16:19.436 +0000 UTC`); nil when it is neither.
    static func parseStartTime(_ text: String) -> Date? {
        if let date = ISO8601Timestamp.parse(text) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
        let parts = text.split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var seconds = String(parts[1])
        if let dot = seconds.firstIndex(of: ".") { seconds = String(seconds[..<dot]) }
        return ISO8601Timestamp.parse("\(parts[0])T\(seconds)Z")
    }
}
