import AutopodSupport
import AutopodCore
import FoundationEssentials

/// Money, durations and GPU descriptions, formatted the same way everywhere.
enum Format {
    static func dollars(_ value: Double?) -> String {
        guard let value else { return "—" }
        if value > 0 && value < 0.01 { return "$" + value.fixed(4) }
        return "$" + value.fixed(2)
    }

    static func perHour(_ value: Double?) -> String {
        guard let value, value > 0 else { return "—" }
        return "$" + value.fixed(3) + "/hr"
    }

    static func gpu(_ record: PodRecord) -> String {
        record.gpuCount > 1 ? "\(record.gpuCount)× \(record.gpuDisplayName)" : record.gpuDisplayName
    }

    static func duration(_ seconds: Double) -> String { WaitDuration.format(seconds) }

    /// `87%`, or a dash when the cloud did not say.
    static func percent(_ value: Int?) -> String { value.map { "\($0)%" } ?? "—" }

    /// `2026-11-27 14:05` on the user's clock.
    static func date(_ date: Date) -> String { CivilTime(date).minuteStamp }
}
