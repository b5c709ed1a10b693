import Foundation

/// Formats dates as RunPod's `lastStatusChange` text does (JavaScript's Date.toString in UTC):
/// "Fri Jul 12 2024 15:14:40 GMT+0000 (Coordinated Universal Time)".
enum RunPodDate {
    static func string(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE MMM dd yyyy HH:mm:ss"
        return formatter.string(from: date) + " GMT+0000 (Coordinated Universal Time)"
    }

    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
