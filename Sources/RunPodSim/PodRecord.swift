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
    let imageName: String
    let dockerArgs: String
    /// "KEY=value" strings, in request order, including an injected PUBLIC_KEY.
    let env: [String]
    let ports: String
    /// `ports` as (number, "http"|"tcp"), parsed once: `myself { pods }` reads it on every poll.
    let declaredPorts: [(Int, String)]
    let containerDiskInGb: Int
    let volumeInGb: Int
    let volumeMountPath: String
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
    let gpuUUIDs: [String]

    init(
        id: String, name: String, gpuType: GPUType, gpuCount: Int, secureCloud: Bool, dataCenterId: String,
        imageName: String, dockerArgs: String, env: [String], ports: String, containerDiskInGb: Int, volumeInGb: Int,
        volumeMountPath: String, vcpuCount: Int, memoryInGb: Int, templateId: String?, apiKey: String,
        now: Date, bootDelay: Double
    ) {
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
        declaredPorts = ports.split(separator: ",").compactMap { item in
            let parts = item.trimmingCharacters(in: .whitespaces).split(separator: "/")
            guard parts.count == 2, let number = Int(parts[0]) else { return nil }
            return (number, String(parts[1]).lowercased())
        }
        self.containerDiskInGb = containerDiskInGb
        self.volumeInGb = volumeInGb
        self.volumeMountPath = volumeMountPath
        self.vcpuCount = vcpuCount
        self.memoryInGb = memoryInGb
        self.templateId = templateId
        self.apiKey = apiKey
        machineId = RandomID.make(length: 12)
        podHostId = id + "-" + RandomID.hex(length: 8)
        createdAt = now
        lastStartedAt = now
        createdAtText = RunPodDate.iso(now)
        lastStartedAtText = createdAtText
        lastStatusChange = "Rented by User: " + RunPodDate.string(now)
        bootAt = now.addingTimeInterval(bootDelay)
        gpuUUIDs = (0..<max(gpuCount, 8)).map { _ in "GPU-" + UUID().uuidString.lowercased() }
    }

    var costPerHr: Double {
        (gpuType.price(secure: secureCloud) * Double(gpuCount) * 1000).rounded() / 1000
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
            "machineId": machineId, "podType": "RESERVED", "ports": ports, "uptimeSeconds": 0,
            "locked": false, "volumeEncrypted": false, "gpuPowerLimitPercent": 100,
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
        if let runtime = runtimeValue(now: now) { pod["runtime"] = runtime }
        return GraphQLObject(pod)
    }

    /// `runtime` is present only while RUNNING, past the boot delay, with processes up.
    private func runtimeValue(now: Date) -> GraphQLObject? {
        guard desiredStatus == "RUNNING", !terminated, now >= bootAt, let machine else { return nil }
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
            "gpus": gpuUUIDs.prefix(gpuCount).map { GraphQLObject(["id": $0, "gpuUtilPercent": 0, "memoryUtilPercent": 0]) },
            "container": GraphQLObject(["cpuPercent": 0, "memoryPercent": 1]),
        ])
    }
}
