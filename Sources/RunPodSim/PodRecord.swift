import AutopodSupport
import Foundation

/// What the simulator knows about one pod. Mutated only under `SimCloud`'s lock.
final class PodRecord: @unchecked Sendable {
    let id: String
    var name: String
    let gpuType: GPUType
    var gpuCount: Int
    let secureCloud: Bool
    let dataCenterId: String
    /// Image, args and env may change through REST's PATCH; they take effect on the next start.
    var imageName: String
    var dockerArgs: String
    /// "KEY=value" strings, in request order, including an injected PUBLIC_KEY.
    var env: [String]
    /// "8888/http,22/tcp" as GraphQL reports it.
    private(set) var ports: String
    /// `ports` as (number, "http"|"tcp"), parsed once: `myself { pods }` reads it on every poll.
    private(set) var declaredPorts: [(Int, String)]
    var containerDiskInGb: Int
    var volumeInGb: Int
    var volumeMountPath: String
    let networkVolumeId: String?
    let vcpuCount: Int
    let memoryInGb: Int
    let machineId: String
    let podHostId: String
    let templateId: String?
    /// The pod-scoped RUNPOD_API_KEY.
    let apiKey: String
    let createdAt: Date

    var desiredStatus = "RUNNING"
    var lastStatusChange: String
    var terminated = false
    var lastStartedAt: Date {
        didSet { lastStartedAtText = RunPodDate.iso(lastStartedAt) }
    }
    /// Formatted once: date formatters are costly and `myself { pods }` is polled often.
    private let createdAtText: String
    /// REST's `createdAt`, RFC 3339 without a fraction as RunPod's examples give it.
    let restCreatedAtText: String
    private var lastStartedAtText: String
    /// When the current boot's delay ends; runtime stays null before then.
    var bootAt: Date
    /// Bumped on every stop/resume so a boot that finishes late is discarded.
    var generation = 0
    var machine: PodMachine?
    var bootError: String?
    var lastPublicPort: UInt16?
    var latencyMs = 0
    var bandwidth = 0
    var networkUp = true
    /// Set by `keep-host-key`: later starts show this host key instead of a fresh one.
    var keptHostKey: String?
    let gpuUUIDs: [String]
    var locked = false
    /// The CUDA version of the pod's host, as REST's `cudaVersion` reports it.
    var cudaVersion: String
    var usage: PodUsage
    var log = PodLog()
    /// Running stretches for billing; the last is open while the pod runs.
    var runIntervals: [RunInterval] = []
    var terminatedAt: Date?
    /// A spot pod's bid per GPU per hour (what it is charged); nil for an on-demand pod.
    var bidPerGpu: Double?
    /// Set when the pod was outbid: its machine now serves the winner, so a resume there fails
    /// until a test frees it (`POST /_sim/pods/ID/host`).
    var hostBusy = false
    /// When the current (or last) run reached RUNNING; nil before the first boot completes.
    var startedAt: Date?

    init(
        id: String, name: String, gpuType: GPUType, gpuCount: Int, secureCloud: Bool, dataCenterId: String,
        imageName: String, dockerArgs: String, env: [String], ports: String, containerDiskInGb: Int, volumeInGb: Int,
        volumeMountPath: String, networkVolumeId: String? = nil, vcpuCount: Int, memoryInGb: Int, templateId: String?,
        apiKey: String, now: Date, bootDelay: Double, bidPerGpu: Double? = nil
    ) {
        self.bidPerGpu = bidPerGpu
        self.id = id
        self.name = name
        self.gpuType = gpuType
        self.gpuCount = gpuCount
        self.secureCloud = secureCloud
        self.dataCenterId = dataCenterId
        self.imageName = imageName
        self.dockerArgs = dockerArgs
        self.env = env
        self.ports = ports
        declaredPorts = Self.parsePorts(ports)
        self.containerDiskInGb = containerDiskInGb
        self.volumeInGb = volumeInGb
        self.volumeMountPath = volumeMountPath
        self.networkVolumeId = networkVolumeId
        self.vcpuCount = vcpuCount
        self.memoryInGb = memoryInGb
        self.templateId = templateId
        self.apiKey = apiKey
        machineId = RandomID.make(length: 12)
        podHostId = id + "-" + RandomID.hex(length: 8)
        createdAt = now
        lastStartedAt = now
        createdAtText = RunPodDate.iso(now)
        restCreatedAtText = RFC3339.string(now)
        lastStartedAtText = createdAtText
        lastStatusChange = "Rented by User: " + RunPodDate.string(now)
        bootAt = now.addingTimeInterval(bootDelay)
        gpuUUIDs = (0..<max(gpuCount, 10)).map { _ in "GPU-" + UUID().uuidString.lowercased() }
        usage = PodUsage(gpuSlots: gpuUUIDs.count)
        cudaVersion = gpuType.cudaVersions.last ?? "12.8"
        runIntervals = [RunInterval(start: now, gpuCount: gpuCount, gpuRatePerHour: gpuRatePerHour)]
    }

    /// The declared ports as REST lists them, `["8888/http", "22/tcp"]`.
    var portList: [String] { declaredPorts.map { "\($0.0)/\($0.1)" } }

    /// Replaces the declared ports (REST's PATCH); a published 22/tcp appears or goes at once,
    /// as RunPod adds a mapping without a restart.
    func setPorts(_ list: [String]) {
        ports = list.joined(separator: ",")
        declaredPorts = Self.parsePorts(ports)
    }

    static func parsePorts(_ text: String) -> [(Int, String)] {
        text.split(separator: ",").compactMap { item in
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "/")
            guard parts.count == 2, let number = Int(parts[0]) else { return nil }
            return (number, String(parts[1]).lowercased())
        }
    }

    /// Whether the processes are up and the boot delay has passed: GraphQL's `runtime` is
    /// non-null and REST's `status` is RUNNING from then on.
    func isUp(now: Date) -> Bool {
        desiredStatus == "RUNNING" && !terminated && now >= bootAt && machine != nil
    }

    /// Ends the open run interval (stop, terminate).
    func closeRun(at date: Date) {
        if let last = runIntervals.indices.last, runIntervals[last].end == nil { runIntervals[last].end = date }
    }

    /// Opens a run interval (start).
    func openRun(at date: Date) {
        closeRun(at: date)
        runIntervals.append(RunInterval(start: date, gpuCount: gpuCount, gpuRatePerHour: gpuRatePerHour))
    }

    /// A spot pod pays its bid, an on-demand pod the list price.
    var gpuRatePerHour: Double { (bidPerGpu ?? gpuType.price(secure: secureCloud)) * Double(gpuCount) }

    var costPerHr: Double {
        (gpuRatePerHour * 1000).rounded() / 1000
    }

    var publicKey: String? {
        env.first { $0.hasPrefix("PUBLIC_KEY=") }.map { String($0.dropFirst("PUBLIC_KEY=".count)) }
    }

    /// The GraphQL `Pod` object, as a dictionary the default resolver reads.
    func graphQLValue(now: Date) -> GraphQLObject {
        var pod: [String: any Sendable] = [
            "id": id, "name": name, "desiredStatus": desiredStatus, "lastStatusChange": lastStatusChange,
            // The rate of the pod's GPUs whatever its state, as RunPod's GraphQL reports it;
            // `myself.currentSpendPerHr` counts running pods only.
            "costPerHr": costPerHr, "adjustedCostPerHr": costPerHr,
            "costMultiplier": 1.0,
            "imageName": imageName, "dockerArgs": dockerArgs, "dockerId": "", "env": env,
            "gpuCount": gpuCount, "vcpuCount": vcpuCount, "memoryInGb": memoryInGb,
            "containerDiskInGb": containerDiskInGb, "volumeInGb": volumeInGb, "volumeMountPath": volumeMountPath,
            // `uptimeSeconds` stays 0 on RunPod (the real value is runtime.uptimeInSeconds).
            "machineId": machineId, "podType": bidPerGpu == nil ? "RESERVED" : "INTERRUPTABLE", "ports": ports, "uptimeSeconds": 0,
            "locked": locked, "volumeEncrypted": false, "gpuPowerLimitPercent": 100,
            "createdAt": createdAtText, "lastStartedAt": lastStartedAtText,
            "consumerUserId": "user_simulated",
            "machine": GraphQLObject([
                "podHostId": podHostId, "gpuDisplayName": gpuType.displayName, "gpuTypeId": gpuType.id,
                "location": DataCenter.location(dataCenterId), "dataCenterId": dataCenterId,
                "secureCloud": secureCloud, "maxGpuCount": gpuType.maxGpuCount,
            ]),
        ]
        if let port = declaredPorts.first?.0 { pod["port"] = port }
        if let templateId { pod["templateId"] = templateId }
        if let networkVolumeId { pod["networkVolumeId"] = networkVolumeId }
        if let runtime = runtimeValue(now: now) { pod["runtime"] = runtime }
        return GraphQLObject(pod)
    }

    /// `runtime` is present only while RUNNING, past the boot delay, with processes up.
    private func runtimeValue(now: Date) -> GraphQLObject? {
        guard isUp(now: now), let machine else { return nil }
        var ports: [GraphQLObject] = []
        for (number, kind) in declaredPorts {
            if kind == "tcp" && number == 22 {
                ports.append(
                    GraphQLObject([
                        "ip": "127.0.0.1", "isIpPublic": true, "privatePort": 22, "publicPort": Int(machine.proxy.port),
                        "type": "tcp",
                    ]))
            } else if kind == "http", let responder = machine.responders.first(where: { $0.podPort == number }) {
                ports.append(
                    GraphQLObject([
                        "ip": machine.network.podAddress, "isIpPublic": false, "privatePort": number,
                        "publicPort": machine.network.namespace == nil ? Int(responder.boundPort) : number, "type": "http",
                    ]))
            }
        }
        return GraphQLObject([
            "uptimeInSeconds": Int(now.timeIntervalSince(bootAt)),
            "ports": ports,
            "gpus": (0..<min(gpuCount, gpuUUIDs.count)).map { index in
                GraphQLObject([
                    "id": gpuUUIDs[index], "gpuUtilPercent": usage.gpus[index].util,
                    "memoryUtilPercent": usage.gpus[index].memoryUtil,
                ])
            },
            "container": GraphQLObject(["cpuPercent": usage.cpu, "memoryPercent": usage.memory]),
        ])
    }
}
