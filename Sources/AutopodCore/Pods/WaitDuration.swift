import AutopodSupport
import FoundationEssentials

/// Durations as people type them: `90s`, `15m`, `1h`, `1h30m`, or plain seconds. A value keeps
/// the text it was read from, so help and messages show it as the user wrote it.
public struct WaitDuration: Sendable, Hashable, CustomStringConvertible {
    public let duration: Duration
    public let description: String

    /// Reads `text`, or nil when it is not a positive duration.
    public init?(_ text: String) {
        guard let seconds = Self.parse(text) else { return nil }
        self.init(seconds: seconds, text: text.trimmingSpaces())
    }

    public init(seconds: TimeInterval, text: String? = nil) {
        duration = .milliseconds(Int64((seconds * 1000).rounded()))
        description = text ?? Self.format(seconds)
    }

    public static func minutes(_ count: Int) -> WaitDuration { WaitDuration(seconds: Double(count) * 60, text: "\(count)m") }

    public var seconds: TimeInterval {
        let (whole, fraction) = duration.components
        return Double(whole) + Double(fraction) / 1e18
    }

    public static func parse(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingSpaces().lowercased()
        if let seconds = Double(trimmed), seconds > 0 { return seconds }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in trimmed {
            if character.isNumber || character == "." {
                number.append(character)
            } else {
                guard let value = Double(number) else { return nil }
                switch character {
                case "s": total += value
                case "m": total += value * 60
                case "h": total += value * 3600
                default: return nil
                }
                number = ""
                sawUnit = true
            }
        }
        guard sawUnit, number.isEmpty, total > 0 else { return nil }
        return total
    }

    /// `1h 05m`, `4m 10s`, `12s`: short and exact enough for a status line.
    public static func format(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.down))
        let hours = whole / 3600
        let minutes = whole % 3600 / 60
        let secs = whole % 60
        if hours > 0 { return "\(hours)h \(minutes.zeroPadded(2))m" }
        if minutes > 0 { return "\(minutes)m \(secs.zeroPadded(2))s" }
        return "\(secs)s"
    }
}
