import AutopodSupport
import FoundationEssentials

/// The calendar fields of an instant on the user's clock (TZ and /etc/localtime, read by the C
/// library: FoundationEssentials' `TimeZone.current` is always GMT), or at a fixed UTC offset.
public struct CivilTime: Sendable, Equatable {
    public var year, month, day, hour, minute, second: Int

    public init(_ date: Date, utcOffset: Int? = nil) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        if let utcOffset {
            seconds += time_t(utcOffset)
            gmtime_r(&seconds, &parts)
        } else {
            localtime_r(&seconds, &parts)
        }
        year = Int(parts.tm_year) + 1900
        month = Int(parts.tm_mon) + 1
        day = Int(parts.tm_mday)
        hour = Int(parts.tm_hour)
        minute = Int(parts.tm_min)
        second = Int(parts.tm_sec)
    }

    /// `2026-11-27`
    public var dayStamp: String { "\(year.zeroPadded(4))-\(month.zeroPadded(2))-\(day.zeroPadded(2))" }

    /// `2026-11-27 14:05`
    public var minuteStamp: String { "\(dayStamp) \(hour.zeroPadded(2)):\(minute.zeroPadded(2))" }
}
