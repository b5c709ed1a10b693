import AutopodCore
import Foundation

/// Money, durations and GPU descriptions, formatted the same way everywhere.
enum Format {
    static func dollars(_ value: Double?) -> String {
        guard let value else { return "—" }
        if value > 0 && value < 0.01 { return String(format: "$%.4f", value) }
        return String(format: "$%.2f", value)
    }

    static func perHour(_ value: Double?) -> String {
        guard let value, value > 0 else { return "—" }
        return String(format: "$%.3f/hr", value)
    }

    static func gpu(_ record: PodRecord) -> String {
        record.gpuCount > 1 ? "\(record.gpuCount)× \(record.gpuDisplayName)" : record.gpuDisplayName
    }

    static func duration(_ seconds: Double) -> String { WaitDuration.format(seconds) }

    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm"
        return formatter.string(from: date)
    }
}
