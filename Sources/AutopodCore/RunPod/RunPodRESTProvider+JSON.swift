import AutopodSupport
import FoundationEssentials

/// REST v2's bodies to and from autopod's types, following the OpenAPI document's schemas
/// (`CreatePodRequest`, `Pod`, `GpuType`). Pure, so each mapping is tested on its own.
extension RunPodRESTProvider {
    /// A `CreatePodRequest`. The schema rejects properties it does not know
    /// (`unevaluatedProperties: false`), so only its own names appear.
    static func createBody(_ spec: PodSpec, cloud: CloudType) -> JSONValue {
        var body: [String: JSONValue] = [
            "name": .string(spec.name),
            "image": .string(spec.imageName),
            "gpu": ["id": .string(spec.gpuTypeId), "count": .number(Double(spec.gpuCount))],
            "cloud": .string(cloud.rawValue),
            "disk": .number(Double(spec.containerDiskInGb)),
            // An array here, where GraphQL took a comma-separated string.
            "ports": .array(
                spec.ports.split(separator: ",").map { String($0.trimmingSpaces()) }.filter { !$0.isEmpty }.map { .string($0) }),
            // An object here, where GraphQL took a list of {key, value}.
            "env": .object(spec.env.mapValues { .string($0) }),
            // Makes RunPod's images start sshd with the account's keys (PUBLIC_KEY in env wins).
            "startSsh": true,
        ]
        if let dc = spec.dataCenterId { body["dataCenterIds"] = [.string(dc)] }
        if let volume = spec.networkVolumeId {
            body["mounts"] = ["network": [["volumeId": .string(volume), "path": .string(spec.volumeMountPath)]]]
        } else if spec.volumeInGb > 0 {
            body["mounts"] = ["persistent": ["size": .number(Double(spec.volumeInGb)), "path": .string(spec.volumeMountPath)]]
        }
        return .object(body)
    }

    /// A `Pod`. `status` says what is happening; autopod's `desiredStatus` (what was asked for)
    /// is RUNNING for every step on the way to running, so billing and readiness read alike on
    /// both APIs. ERROR reads as stopped, with the reason in `lastStatusChange`.
    static func parsePod(_ value: JSONValue) -> RemotePod? {
        // An id not shaped like RunPod's would reach file names and known_hosts (see `PodID`):
        // such a pod is left out as if the reply had not named it.
        guard let id = value["id"].stringValue, PodID.isValid(id) else { return nil }
        let phase = value["status"].stringValue.flatMap { RemotePod.Phase(rawValue: $0.uppercased()) }
        let desired: String
        var lastStatusChange: String? = nil
        switch phase {
        case .provisioning?, .starting?, .running?: desired = "RUNNING"
        case .exited?: desired = "EXITED"
        case .error?:
            desired = "EXITED"
            lastStatusChange = "ERROR: the container is in an unrecoverable error state (its system log says why)"
        case .terminated?: desired = "TERMINATED"
        case nil: desired = value["status"].stringValue ?? "UNKNOWN"
        }
        let runtime = value["runtime"]
        // Only published ports: v2 gives no isIpPublic, and `ssh.direct` is where SSH is.
        let mappings: [PortMapping] = (runtime["ports"].arrayValue ?? []).compactMap { port in
            guard let ip = port["ip"].stringValue, let privatePort = port["private"].intValue,
                let publicPort = port["public"].intValue
            else { return nil }
            return PortMapping(ip: ip, isIpPublic: true, privatePort: privatePort, publicPort: publicPort, type: port["type"].stringValue ?? "")
        }
        let direct = value["ssh"]["direct"]
        let directSSH = direct["host"].stringValue.flatMap { host in direct["port"].intValue.map { PodEndpoint(host: host, port: $0) } }
        var pod = RemotePod(
            id: id,
            name: value["name"].stringValue ?? "",
            desiredStatus: desired,
            lastStatusChange: lastStatusChange,
            costPerHr: value["cost"].doubleValue,
            imageName: value["image"].stringValue,
            gpuCount: value["gpu"]["count"].intValue ?? (value["gpu"].isNull ? 0 : 1),
            gpuTypeId: value["gpu"]["id"].stringValue,
            gpuDisplayName: nil,
            // Built here: `joined(separator:)` runs unspecialised, about 10K instructions a pod.
            ports: value["ports"].arrayValue.map { ports in
                ports.compactMap(\.stringValue).reduce(into: "") { list, port in list += list.isEmpty ? port : "," + port }
            },
            // The proxy's user name is the pod's host id (an opaque routing token, v2 says).
            podHostId: value["ssh"]["proxy"]["username"].stringValue,
            hasRuntime: !runtime.isNull,
            uptimeInSeconds: runtime["uptime"].intValue,
            portMappings: mappings,
            phase: phase,
            directSSH: directSSH,
            utilization: parseUtilization(runtime),
            containerDiskGB: value["disk"].intValue,
            // A network volume is billed as a volume of the account, not with the pod.
            volumeGB: value["mounts"]["persistent"]["size"].intValue ?? (value["disk"].isNull ? nil : 0),
            lastStartedAt: value["startedAt"].stringValue.flatMap(RunPodProvider.parseStartTime))
        pod.networkVolumeId = value["mounts"]["network"].arrayValue?.first?["volumeId"].stringValue
        return pod
    }

    /// `runtime.gpus[].{util, memoryUtil}`, `runtime.cpu.util`, `runtime.memory.util`.
    static func parseUtilization(_ runtime: JSONValue) -> PodUtilization? {
        guard !runtime.isNull else { return nil }
        let utilization = PodUtilization(
            gpus: (runtime["gpus"].arrayValue ?? []).map { PodUtilization.GPU(util: $0["util"].intValue, memoryUtil: $0["memoryUtil"].intValue) },
            cpu: runtime["cpu"]["util"].intValue, memory: runtime["memory"]["util"].intValue)
        return utilization.isEmpty && utilization.gpus.isEmpty ? nil : utilization
    }

    /// A `GpuType` read for one cloud: a type that cloud does not offer has no stock there.
    static func parseGPUType(_ value: JSONValue, cloud: CloudType) -> GPUType? {
        guard let id = value["id"].stringValue else { return nil }
        func positive(_ number: Double?) -> Double? { number.flatMap { $0 > 0 ? $0 : nil } }
        let secure = positive(value["price"]["secure"].doubleValue)
        let community = positive(value["price"]["community"].doubleValue)
        let offered = value[cloud == .community ? "community" : "secure"].boolValue ?? true
        // NONE, LOW, MEDIUM, HIGH: GraphQL's words in capitals.
        let stock = offered ? StockStatus(api: value["availability"].stringValue) : .outOfStock
        return GPUType(
            id: id, displayName: value["name"].stringValue ?? id, memoryInGb: value["memory"].intValue ?? 0,
            securePrice: secure, communityPrice: community, stock: stock,
            lowestPrice: cloud == .community ? community : secure)
    }

    /// One list for the ALL cloud: the better stock of the two, the cheaper price.
    static func merge(secure: [GPUType], community: [GPUType]) -> [GPUType] {
        let byID = Dictionary(community.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var merged = secure.map { type -> GPUType in
            guard let other = byID[type.id] else { return type }
            var combined = type
            combined.stock = [type.stock, other.stock].compactMap { $0 }.max()
            combined.lowestPrice = [type.lowestPrice, other.lowestPrice].compactMap { $0 }.min()
            return combined
        }
        let secureIDs = Set(secure.map(\.id))
        merged += community.filter { !secureIDs.contains($0.id) }
        return merged
    }
}
