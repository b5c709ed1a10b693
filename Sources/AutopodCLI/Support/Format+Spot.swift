import AutopodCore
import AutopodSupport
import FoundationEssentials

extension Format {
    /// A spot price or bid, which RunPod quotes per GPU per hour.
    static func perGPUHour(_ value: Double?) -> String {
        guard let value, value > 0 else { return "—" }
        return "$" + value.fixed(3) + "/GPU/hr"
    }

    /// "spot, bid $0.220/GPU/hr" for a spot pod; nil for an on-demand one.
    static func spot(_ record: PodRecord) -> String? {
        record.spotBid.map { "spot, bid \(perGPUHour($0))" }
    }
}
