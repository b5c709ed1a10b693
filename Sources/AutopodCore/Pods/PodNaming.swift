import AutopodSupport
import FoundationEssentials

/// Pod names of the form `autopod-YYYY-MM-DD-NNN`. The name is unique per create because a
/// create whose reply was lost is found again by its name.
public enum PodNaming {
    public static let prefix = "autopod-"

    /// The day part, on the user's clock (so names match their calendar) unless a fixed UTC
    /// offset in seconds is given.
    public static func dayStamp(_ date: Date, utcOffset: Int? = nil) -> String {
        CivilTime(date, utcOffset: utcOffset).dayStamp
    }

    /// The next free name on `date`: one more than the highest number already used that day
    /// (numbers of terminated pods are not reused, so a name always means one pod).
    public static func nextName(on date: Date, taken: some Sequence<String>, utcOffset: Int? = nil) -> String {
        let dayPrefix = prefix + dayStamp(date, utcOffset: utcOffset) + "-"
        var highest = 0
        for name in taken where name.hasPrefix(dayPrefix) {
            if let number = Int(name.dropFirst(dayPrefix.count)) { highest = max(highest, number) }
        }
        return dayPrefix + (highest + 1).zeroPadded(3)
    }
}
