import AutopodSupport
import Foundation

/// Formats dates as RunPod's `lastStatusChange` text does (JavaScript's Date.toString in UTC):
/// "Fri Jul 12 2024 15:14:40 GMT+0000 (Coordinated Universal Time)".
enum RunPodDate {
    static func string(_ date: Date) -> String {
        date.formatted(
            Date.VerbatimFormatStyle(
                format: """
                    \(weekday: .abbreviated) \(month: .abbreviated) \(day: .twoDigits) \(year: .defaultDigits) \
                    \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits):\(second: .twoDigits)
                    """,
                locale: Locale(identifier: "en_US_POSIX"), timeZone: TimeZone(identifier: "UTC")!, calendar: Calendar(identifier: .gregorian)))
            + " GMT+0000 (Coordinated Universal Time)"
    }

    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
