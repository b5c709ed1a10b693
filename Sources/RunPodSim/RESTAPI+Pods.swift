import Foundation

/// `/v2/pods`: create, update, terminate, actions and the log stream.
extension RESTAPI {
    func createPod(_ call: Call) async throws(RESTProblem) -> Reply {
        let body = try Self.body(call, .createPod)
        // `image` is required unless `templateId` is set (the schema's if/then).
        if body["templateId"] == nil && body["image"] == nil { throw .invalid(["$: missing properties 'image'"]) }
        if let template = body["templateId"]?.string { throw .notFound("template \(template) not found") }
        switch (body["gpu"], body["cpu"]) {
        case (nil, nil), (.some, .some): throw .badRequest("exactly one of gpu or cpu must be set")
        case (nil, .some): throw .badRequest("cpu: runpod-sim simulates GPU pods only; set gpu")
        default: break
        }
        let gpu = body["gpu"]!
        guard let type = gpu["id"]?.string, GPUType.find(type) != nil else {
            throw .badRequest("gpu.id: unknown GPU type '\(gpu["id"]?.string ?? "")'; see GET /v2/catalog/gpus")
        }
        let allowed = gpu["allowedCudaVersions"]?.array?.compactMap(\.string) ?? []
        if !allowed.isEmpty && gpu["minCudaVersion"] != nil {
            throw .badRequest("gpu: allowedCudaVersions and minCudaVersion are mutually exclusive")
        }
        let mounts = try Self.mounts(body["mounts"])
        try Self.checkCommon(body)

        var request = CreatePodRequest()
        request.cloudType = body["cloud"]?.string ?? "SECURE"
        request.gpuTypeId = type
        request.gpuCount = gpu["count"]?.int ?? 1
        request.name = body["name"]?.string
        request.imageName = body["image"]?.string ?? ""
        request.dockerArgs = body["args"]?.string ?? ""
        request.containerDiskInGb = body["disk"]?.int ?? 20
        if let persistent = mounts.persistent {
            request.volumeInGb = persistent.size
            request.volumeMountPath = persistent.path
        }
        if let network = mounts.network?.first {
            request.networkVolumeId = network.volumeId
            request.volumeMountPath = network.path
        }
        request.ports = (body["ports"]?.array?.compactMap(\.string) ?? []).joined(separator: ",")
        request.env = Self.env(body["env"]) ?? []
        request.startSsh = body["startSsh"]?.bool ?? false
        request.startJupyter = body["startJupyter"]?.bool ?? false
        request.dataCenterIds = body["dataCenterIds"]?.array?.compactMap(\.string) ?? []
        request.allowedCudaVersions = allowed
        request.minCudaVersion = gpu["minCudaVersion"]?.string
        let cloud = self.cloud
        let scope = call.scope
        let placed = request
        let pod = try await Self.offload { () throws(RESTProblem) -> PodRecord in
            do throws(RunPodAPIError) {
                return try cloud.create(placed, scope: scope)
            } catch {
                throw RESTProblem(error)
            }
        }
        return .json(201, cloud.restValue(of: pod))
    }

    func updatePod(_ call: Call) throws(RESTProblem) -> Reply {
        let body = try Self.body(call, .updatePod)
        if let template = body["templateId"]?.string { throw .notFound("template \(template) not found") }
        try Self.checkCommon(body)
        let mounts = try Self.mounts(body["mounts"])
        var patch = PodPatch()
        patch.name = body["name"]?.string
        patch.image = body["image"]?.string
        patch.args = body["args"]?.string
        patch.disk = body["disk"]?.int
        patch.ports = body["ports"]?.array?.compactMap(\.string)
        patch.env = Self.env(body["env"])
        patch.locked = body["locked"]?.bool
        patch.persistent = mounts.persistent
        patch.network = mounts.network
        return .json(200, try cloud.update(call.params[0], scope: call.scope, patch))
    }

    func deletePod(_ call: Call) async throws(RESTProblem) -> Reply {
        let cloud = self.cloud
        let (id, scope) = (call.params[0], call.scope)
        try await Self.offload { () throws(RESTProblem) in
            do throws(RunPodAPIError) {
                try cloud.terminate(id, scope: scope)
            } catch {
                throw RESTProblem(error)
            }
        }
        return .noContent
    }

    /// 409 unless the pod's `actions` lists the action; terminate answers 204, the others the pod.
    func podAction(_ call: Call) async throws(RESTProblem) -> Reply {
        let body = try Self.body(call, .podAction)
        let action = body["action"]?.string ?? ""
        let (id, scope) = (call.params[0], call.scope)
        let (status, actions) = try cloud.restStatus(id, scope: scope)
        guard actions.contains(action) else {
            let valid = actions.isEmpty ? "none" : actions.joined(separator: ", ")
            throw .conflict("action '\(action)' is not valid for a pod in status \(status); valid actions: \(valid)")
        }
        let cloud = self.cloud
        let pod = try await Self.offload { () throws(RESTProblem) -> PodRecord? in
            do throws(RunPodAPIError) {
                switch action {
                case "start": return try cloud.resumePod(id, gpuCount: nil, scope: scope)
                case "stop": return try cloud.stopPod(id, scope: scope)
                case "restart": return try cloud.restartPod(id, scope: scope)
                default:
                    try cloud.terminate(id, scope: scope)
                    return nil
                }
            } catch {
                throw RESTProblem(error)
            }
        }
        guard let pod else { return .noContent }
        return .json(200, cloud.restValue(of: pod))
    }

    /// `GET /v2/pods/{id}/logs`: `Last-Event-ID` wins over `since`, which wins over `tail`.
    func podLogs(_ call: Call) throws(RESTProblem) -> Reply {
        var problems: [String] = []
        var sources = Set(PodLog.Source.allCases)
        if let source = call.query("source") {
            if let known = PodLog.Source(rawValue: source) {
                sources = [known]
            } else {
                problems.append("source: value must be one of 'container', 'system'")
            }
        }
        var start = PodLog.Start.tail(100)
        if let text = call.query("tail") {
            if let count = Int(text), (0...5000).contains(count) {
                start = .tail(count)
            } else {
                problems.append("tail: must be an integer from 0 to 5000, got '\(text)'")
            }
        }
        if let text = call.query("since") {
            if let date = RFC3339.parse(text) {
                start = .since(date)
            } else {
                problems.append("since: '\(text)' is not an RFC 3339 date-time")
            }
        }
        if let text = call.lastEventID, !text.isEmpty {
            if let resume = Self.resumePoint(text) {
                start = resume
            } else {
                problems.append("Last-Event-ID: '\(text)' is neither an event id of this stream nor an RFC 3339 date-time")
            }
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        let (backfill, events) = try cloud.openLogStream(call.params[0], scope: call.scope, start: start, sources: sources)
        return .events(LogEventStream(backfill: backfill, events: events))
    }

    /// An event id ("TS/SEQ") resumes after its sequence number; a bare timestamp after its time.
    static func resumePoint(_ text: String) -> PodLog.Start? {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        if parts.count == 2, RFC3339.parse(parts[0]) != nil, let sequence = Int(parts[1]) { return .after(sequence: sequence) }
        return RFC3339.parse(text).map { .afterTime($0) }
    }

    // MARK: Shared checks

    /// Rules of create and update beyond the schema (400, as RunPod's handler gives them).
    private static func checkCommon(_ body: JSONNode) throws(RESTProblem) {
        if body["globalNetworking"]?.bool == true {
            throw .badRequest("globalNetworking: none of runpod-sim's data centers supports global networking")
        }
        if let registry = body["registry"]?.string { throw .badRequest("registry: container registry credential \(registry) not found") }
        for port in body["ports"]?.array?.compactMap(\.string) ?? []
        where port.range(of: #"^\d{1,5}/(http|tcp)$"#, options: .regularExpression) == nil {
            throw .badRequest("ports: '\(port)' is not PORT/http or PORT/tcp")
        }
    }

    private static func mounts(_ node: JSONNode?) throws(RESTProblem) -> (
        persistent: (size: Int, path: String)?, network: [(volumeId: String, path: String)]?
    ) {
        guard let node else { return (nil, nil) }
        let persistent = node["persistent"].map { (size: $0["size"]?.int ?? 0, path: $0["path"]?.string ?? "") }
        let network = node["network"]?.array?.map { (volumeId: $0["volumeId"]?.string ?? "", path: $0["path"]?.string ?? "") }
        if persistent != nil && network != nil {
            throw .badRequest("mounts: persistent and network are mutually exclusive")
        }
        return (persistent, network)
    }

    private static func env(_ node: JSONNode?) -> [(String, String)]? {
        node?.members?.map { ($0.0, $0.1.string ?? "") }
    }
}
