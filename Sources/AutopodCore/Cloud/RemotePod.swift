import AutopodSupport
import FoundationEssentials

/// Where a pod's SSH server can be reached directly (its public port-22 mapping).
public struct PodEndpoint: Sendable, Codable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public var description: String { "\(host):\(port)" }
}

/// One published port of a running pod (RunPod's `runtime.ports` entry).
public struct PortMapping: Sendable, Codable, Equatable {
    public var ip: String
    public var isIpPublic: Bool
    public var privatePort: Int
    public var publicPort: Int
    public var type: String

    public init(ip: String, isIpPublic: Bool, privatePort: Int, publicPort: Int, type: String) {
        self.ip = ip
        self.isIpPublic = isIpPublic
        self.privatePort = privatePort
        self.publicPort = publicPort
        self.type = type
    }
}

/// A pod as the cloud describes it right now.
public struct RemotePod: Sendable, Equatable {
    /// What the pod is doing, when the API says so outright (REST v2's `status`). GraphQL has
    /// only `desiredStatus` and a null `runtime`, from which readiness is inferred instead.
    public enum Phase: String, Sendable, Codable, CaseIterable {
        /// A machine is being allocated.
        case provisioning = "PROVISIONING"
        /// The image is being pulled or the container is starting.
        case starting = "STARTING"
        case running = "RUNNING"
        /// Stopped.
        case exited = "EXITED"
        /// The container is in an unrecoverable error state.
        case error = "ERROR"
        case terminated = "TERMINATED"
    }

    public var id: String
    public var name: String
    /// What was asked for (RUNNING, EXITED, ...), not what is happening: a pod pulling its
    /// image is already RUNNING.
    public var desiredStatus: String
    /// Free text such as "Exited by Runpod: <date>".
    public var lastStatusChange: String?
    /// $/hr for the whole pod; RunPod reports 0 for stopped pods and sometimes for running ones.
    public var costPerHr: Double?
    public var imageName: String?
    public var gpuCount: Int
    public var gpuTypeId: String?
    public var gpuDisplayName: String?
    public var ports: String?
    public var podHostId: String?
    /// Whether `runtime` was present: the container is up.
    public var hasRuntime: Bool
    public var uptimeInSeconds: Int?
    public var portMappings: [PortMapping]
    /// See `Phase`; nil when the API only says what was asked for.
    public var phase: Phase?
    /// The SSH endpoint the API publishes as such (REST v2's `ssh.direct`); nil when it names
    /// none, and then the port-22 mapping is looked for instead.
    public var directSSH: PodEndpoint?
    /// Live GPU, CPU and memory use, when the API reports it for this pod.
    public var utilization: PodUtilization?
    /// The disks as the account reports them (nil when the API left them out).
    public var containerDiskGB: Int?
    public var volumeGB: Int?

    /// The storage this pod is billed for, as far as the account says.
    public var storage: PodStorage? {
        guard containerDiskGB != nil || volumeGB != nil else { return nil }
        return PodStorage(containerDiskGB: containerDiskGB ?? 0, volumeGB: volumeGB ?? 0)
    }
    /// When the pod last started, as RunPod reports it: a later value than before proves a
    /// stop and start, wherever it was done.
    public var lastStartedAt: Date?
    /// A spot (interruptible) pod, which RunPod may take back at any moment.
    public var isSpot = false
    /// The network volume mounted in the pod, if any.
    public var networkVolumeId: String?

    public init(
        id: String, name: String, desiredStatus: String, lastStatusChange: String? = nil, costPerHr: Double? = nil,
        imageName: String? = nil, gpuCount: Int = 1, gpuTypeId: String? = nil, gpuDisplayName: String? = nil,
        ports: String? = nil, podHostId: String? = nil, hasRuntime: Bool = false, uptimeInSeconds: Int? = nil,
        portMappings: [PortMapping] = [], phase: Phase? = nil, directSSH: PodEndpoint? = nil,
        utilization: PodUtilization? = nil, containerDiskGB: Int? = nil, volumeGB: Int? = nil, lastStartedAt: Date? = nil,
        isSpot: Bool = false
    ) {
        self.isSpot = isSpot
        self.id = id
        self.name = name
        self.desiredStatus = desiredStatus
        self.lastStatusChange = lastStatusChange
        self.costPerHr = costPerHr
        self.imageName = imageName
        self.gpuCount = gpuCount
        self.gpuTypeId = gpuTypeId
        self.gpuDisplayName = gpuDisplayName
        self.ports = ports
        self.podHostId = podHostId
        self.hasRuntime = hasRuntime
        self.uptimeInSeconds = uptimeInSeconds
        self.portMappings = portMappings
        self.phase = phase
        self.directSSH = directSSH
        self.utilization = utilization
        self.containerDiskGB = containerDiskGB
        self.volumeGB = volumeGB
        self.lastStartedAt = lastStartedAt
    }

    public var isRunning: Bool { desiredStatus.uppercased() == "RUNNING" }

    /// Only a status that plainly says the pod is not running counts as a stop: a missing or
    /// unknown one says nothing (and must not make autopod believe a restart happened).
    public var isStopped: Bool {
        ["EXITED", "PAUSED", "DEAD", "STOPPED", "TERMINATED"].contains(desiredStatus.uppercased())
    }

    /// The public SSH mapping (private port 22 on a public IP). Runtime is trusted only while
    /// RUNNING: a stopped pod can report stale ports for a while. An endpoint the API publishes
    /// as such counts once the pod is running.
    public var sshEndpoint: PodEndpoint? {
        guard isRunning else { return nil }
        if let directSSH, phase == nil || phase == .running { return directSSH }
        guard hasRuntime,
            let mapping = portMappings.first(where: { $0.privatePort == 22 && $0.isIpPublic && $0.publicPort > 0 })
        else { return nil }
        return PodEndpoint(host: mapping.ip, port: mapping.publicPort)
    }

    /// Whether RunPod took the pod back because it was outbid (a spot pod's preemption):
    /// "Outbid: <date>", with the pod EXITED or TERMINATED.
    public var wasOutbid: Bool {
        !isRunning && (lastStatusChange?.lowercased().hasPrefix("outbid") ?? false)
    }

    /// Whether RunPod (rather than the user) stopped the pod, from its free-text status.
    public var exitedByProvider: Bool {
        guard !isRunning, let text = lastStatusChange?.lowercased() else { return false }
        return text.contains("exited by runpod") || text.contains("terminated by runpod")
    }
}
