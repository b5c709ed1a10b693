import AutopodCore
import Foundation

/// A pod in `--json` output. Keys are stable; nothing secret is included.
struct PodJSON: Encodable {
    struct Interval: Encodable {
        let start: Date
        let end: Date?
    }

    let id: String
    let name: String
    let status: String
    let gpuTypeId: String
    let gpuDisplayName: String
    let gpuCount: Int
    let cloudType: String
    let pricePerHour: Double
    let costSoFar: Double
    let runningSeconds: Double
    let createdAt: Date
    let terminatedAt: Date?
    let createdByAutopod: Bool
    let image: String?
    let sshHost: String?
    let sshPort: Int?
    let intervals: [Interval]

    /// `endpoint` overrides what the view knows (connect has just checked it answers).
    init(_ view: PodView, endpoint known: PodEndpoint? = nil) {
        let record = view.record
        id = record.id
        name = record.name
        status = known != nil ? PodStatus.running.rawValue : view.status.rawValue
        gpuTypeId = record.gpuTypeId
        gpuDisplayName = record.gpuDisplayName
        gpuCount = record.gpuCount
        cloudType = record.cloudType.rawValue
        pricePerHour = record.pricePerHour
        costSoFar = (view.cost * 10000).rounded() / 10000
        runningSeconds = (view.runningSeconds * 10).rounded() / 10
        createdAt = record.createdAt
        terminatedAt = record.terminatedAt
        createdByAutopod = record.createdByAutopod
        image = record.imageName
        let endpoint = known ?? (view.status == .running ? (view.remote?.sshEndpoint ?? record.endpoint) : nil)
        sshHost = endpoint?.host
        sshPort = endpoint?.port
        intervals = record.intervals.map { Interval(start: $0.start, end: $0.end) }
    }
}
