import Foundation

/// RFC 3339 timestamps, as the REST API writes (`createdAt`, log `ts`, billing buckets) and
/// reads them (`since`, `Last-Event-ID`, `startTime`).
enum RFC3339 {
    static func string(_ date: Date, fraction: Bool = false) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: fraction))
    }

    /// Whole milliseconds since 1970: cut off for a clock reading, rounded for a parsed text
    /// (whose binary fraction may fall a hair short of what it says).
    static func milliseconds(_ date: Date, rounded: Bool = false) -> Int64 {
        let value = date.timeIntervalSince1970 * 1000
        return Int64(rounded ? value.rounded() : value.rounded(.down))
    }

    /// "2026-06-01T12:02:03.123Z" for a millisecond count, digit for digit.
    static func string(milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let fraction = milliseconds - seconds * 1000
        let whole = string(Date(timeIntervalSince1970: Double(seconds)))
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Accepts fractional seconds or none, `Z` or a numeric offset; nil when it is not RFC 3339.
    static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.range(of: #"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#, options: .regularExpression) != nil
        else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = trimmed.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        return formatter.date(from: trimmed.uppercased())
    }
}
