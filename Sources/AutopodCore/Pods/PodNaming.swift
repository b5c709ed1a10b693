import Foundation

/// Pod names of the form `autopod-YYYY-MM-DD-NNN`. The name is unique per create because a
/// create whose reply was lost is found again by its name.
public enum PodNaming {
    public static let prefix = "autopod-"

    /// The day part, in the given time zone (the user's, so names match their calendar).
    public static func dayStamp(_ date: Date, timeZone: TimeZone = .current) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The next free name on `date`: one more than the highest number already used that day
    /// (numbers of terminated pods are not reused, so a name always means one pod).
    public static func nextName(on date: Date, taken: some Sequence<String>, timeZone: TimeZone = .current) -> String {
        let dayPrefix = prefix + dayStamp(date, timeZone: timeZone) + "-"
        var highest = 0
        for name in taken where name.hasPrefix(dayPrefix) {
            if let number = Int(name.dropFirst(dayPrefix.count)) { highest = max(highest, number) }
        }
        return dayPrefix + String(format: "%03d", highest + 1)
    }
}
