import AutopodSupport
import FoundationEssentials

/// A stretch of time during which autopod saw the pod running (and billing).
public struct RunningInterval: Encodable, Sendable, Equatable {
    public var start: Date
    /// nil while the pod is still running.
    public var end: Date?

    public init(start: Date, end: Date? = nil) {
        self.start = start
        self.end = end
    }
}

/// What autopod remembers about one pod, in `pods.json`.
public struct PodRecord: Encodable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var gpuTypeId: String
    public var gpuDisplayName: String
    public var gpuCount: Int
    public var cloudType: CloudType
    /// $/hr for the whole pod when it was created (RunPod's later figure can read 0).
    public var pricePerHour: Double
    public var createdAt: Date
    public var intervals: [RunningInterval]
    public var endpoint: PodEndpoint?
    /// false for pods found on the account that autopod did not create.
    public var createdByAutopod: Bool
    public var terminatedAt: Date?
    public var imageName: String?
    /// The status RunPod last reported (RUNNING, EXITED, ...).
    public var lastStatus: String?
    /// How many running intervals autopod had seen when it pinned the pod's host key. More
    /// intervals now means autopod saw the pod stop and start, and containers make a new host
    /// key on every start.
    public var hostKeyPinnedRun: Int?
    /// The disks the pod is billed for; empty in records written before autopod kept them
    /// (their storage then counts as nothing).
    public var storage: PodStorage
    /// The pod's start time as RunPod reported it at the last successful host-key check. A
    /// later start reported now proves a restart (done here or anywhere else) since then.
    public var hostKeyCheckedStart: Date?
    /// When the host key was last checked successfully; an uptime RunPod reports that is
    /// shorter than the time since then also proves a restart.
    public var hostKeyCheckedAt: Date?
    /// The guard autopod last put in force on the pod (see `PodGuard`); nil until autopod
    /// first reaches the pod, when the config's defaults apply.
    public var guardSettings: GuardSettings?
    /// Why the pod's guard stopped or terminated it ("idle 60 min"), while that is the latest
    /// news about the pod; cleared when it runs again.
    public var guardStop: String?
    /// A spot pod's bid per GPU per hour (nil: on demand). RunPod may take a spot pod back.
    public var spotBid: Double?
    /// The network volume mounted as /workspace, when the pod has one (it outlives the pod).
    public var networkVolumeId: String?

    public init(
        id: String, name: String, gpuTypeId: String, gpuDisplayName: String, gpuCount: Int, cloudType: CloudType,
        pricePerHour: Double, createdAt: Date, intervals: [RunningInterval] = [], endpoint: PodEndpoint? = nil,
        createdByAutopod: Bool = true, terminatedAt: Date? = nil, imageName: String? = nil, lastStatus: String? = nil,
        storage: PodStorage = .none
    ) {
        self.id = id
        self.name = name
        self.gpuTypeId = gpuTypeId
        self.gpuDisplayName = gpuDisplayName
        self.gpuCount = gpuCount
        self.cloudType = cloudType
        self.pricePerHour = pricePerHour
        self.createdAt = createdAt
        self.intervals = intervals
        self.endpoint = endpoint
        self.createdByAutopod = createdByAutopod
        self.terminatedAt = terminatedAt
        self.imageName = imageName
        self.lastStatus = lastStatus
        self.storage = storage
    }

    public var isTerminated: Bool { terminatedAt != nil }
    public var isOpen: Bool { intervals.last.map { $0.end == nil } ?? false }

    /// Starts a running interval unless one is open.
    public mutating func markRunning(at date: Date) {
        if !isOpen { intervals.append(RunningInterval(start: date)) }
    }

    /// Ends the open running interval, if any.
    public mutating func markStopped(at date: Date) {
        if let last = intervals.indices.last, intervals[last].end == nil {
            intervals[last].end = max(date, intervals[last].start)
        }
    }

    public mutating func markTerminated(at date: Date) {
        markStopped(at: date)
        if terminatedAt == nil { terminatedAt = date }
        lastStatus = "TERMINATED"
        endpoint = nil
    }
}

/// A create under way: its name is reserved, and if the reply is lost the pod is adopted by
/// name when it shows up on the account.
public struct PendingCreate: Encodable, Sendable, Equatable {
    public var name: String
    public var startedAt: Date
    public var cloudType: CloudType
    /// The autopod process that made the reservation. Once it has exited nobody is working on
    /// the create any more, so the next `connect` resolves the entry at once instead of letting
    /// it block the name until it expires. Nil in files written before it was kept.
    public var pid: Int32?
}

/// The whole of `pods.json`. `PodStateStore` writes it through `Encodable` and reads it back
/// through `JSONValue` (PodState+JSON.swift), far cheaper than `JSONDecoder`.
public struct PodState: Encodable, Sendable, Equatable {
    public var version = 1
    public var pods: [PodRecord] = []
    public var pending: [PendingCreate] = []

    public func record(id: String) -> PodRecord? { pods.first { $0.id == id } }

    /// Replaces the record with the same id, or adds it.
    public mutating func upsert(_ record: PodRecord) {
        if let index = pods.firstIndex(where: { $0.id == record.id }) {
            pods[index] = record
        } else {
            pods.append(record)
        }
    }

    public mutating func update(id: String, _ change: (inout PodRecord) -> Void) {
        if let index = pods.firstIndex(where: { $0.id == id }) { change(&pods[index]) }
    }

    /// Every name in use or reserved, for picking the next free one.
    public var allNames: [String] { pods.map(\.name) + pending.map(\.name) }
}
