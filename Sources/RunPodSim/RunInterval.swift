import Foundation

/// A stretch of time a pod ran (create or start until stop or terminate) with its GPU rate,
/// the ground truth `GET /v2/billing/pods` charges from.
struct RunInterval: Sendable {
    let start: Date
    var end: Date?
    let gpuCount: Int
    /// USD per hour for all the pod's GPUs.
    let gpuRatePerHour: Double
}
