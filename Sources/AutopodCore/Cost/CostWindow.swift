import AutopodSupport
import FoundationEssentials

/// The stretch of time `autopod cost` reports on. Windows start at midnight UTC, where RunPod's
/// daily billing buckets start, so both sides count the same seconds.
public struct CostWindow: Sendable, Equatable {
    public var start: Date
    public var end: Date

    /// Today and the `days - 1` days before it.
    public static func lastDays(_ days: Int, now: Date) -> CostWindow {
        CostWindow(start: CostReport.dayStart(now).addingTimeInterval(-Double(max(1, days) - 1) * 86_400), end: now)
    }

    /// From the first of this month.
    public static func month(now: Date) -> CostWindow {
        CostWindow(start: CostReport.monthStart(now), end: now)
    }

    /// Reads `--since`: `7d`, `2w` or a bare number of days; nil for anything else.
    public static func days(in text: String) -> Int? {
        let trimmed = text.trimmingSpaces().lowercased()
        var digits = trimmed
        var factor = 1
        if trimmed.hasSuffix("d") {
            digits = String(trimmed.dropLast())
        } else if trimmed.hasSuffix("w") {
            digits = String(trimmed.dropLast())
            factor = 7
        }
        guard let count = Int(digits), count > 0, count <= 3660 / factor else { return nil }
        return count * factor
    }
}
