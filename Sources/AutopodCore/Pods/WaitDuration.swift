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

    /// The longest wait taken: `inf`, `nan` and `1e300` are not durations anyone waits for
    /// (and would not fit the clock), so they are refused rather than read.
    public static let longest: TimeInterval = 30 * 86400

    public static func parse(_ text: String) -> TimeInterval? {
        guard let seconds = readSeconds(text), seconds.isFinite, seconds > 0, seconds <= longest else { return nil }
        return seconds
    }

    private static func readSeconds(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingSpaces().lowercased()
        // Digits only: Double("inf"), Double("nan") and "0x1p3" are numbers to Swift, not to people.
        if trimmed.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let seconds = Double(trimmed) { return seconds }
        var total = 0.0
        var number = ""
        var sawUnit = false
        for character in trimmed {
            if (character.isASCII && character.isNumber) || character == "." {
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
