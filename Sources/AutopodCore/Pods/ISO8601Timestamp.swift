import AutopodSupport
import FoundationEssentials

/// UTC timestamps in the two ISO 8601 forms autopod writes, `2027-01-01T12:00:00Z` and
/// `2027-01-01T12:00:00.250Z`, read and written by hand. `Date.ISO8601FormatStyle` costs about
/// as much to create as decoding a whole 20-pod `pods.json`, and `autopod list` reads dozens of
/// dates. Anything else is left to the format style (`parse` returns nil).
public enum ISO8601Timestamp {
    /// Reads `yyyy-MM-ddTHH:mm:ssZ` or `yyyy-MM-ddTHH:mm:ss.SSSZ`; nil for any other form or an
    /// impossible date.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(utf8: $0) }
    }

    /// The date in the form `parse` reads, truncated (never rounded up) to the second or the
    /// millisecond, as `Date.ISO8601FormatStyle` writes it.
    public static func format(_ date: Date, milliseconds: Bool) -> String {
        let (seconds, millis) = secondsAndMillis(date)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func append(_ value: Int, width: Int, then separator: Character? = nil) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
            if let separator { bytes.append(separator.asciiValue!) }
        }
        append(year, width: 4, then: "-")
        append(month, width: 2, then: "-")
        append(day, width: 2, then: "T")
        append(secondOfDay / 3600, width: 2, then: ":")
        append(secondOfDay / 60 % 60, width: 2, then: ":")
        append(secondOfDay % 60, width: 2)
        if milliseconds {
            bytes.append(UInt8(ascii: "."))
            append(millis, width: 3)
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count == 20 || bytes.count == 24, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
            bytes[bytes.count - 1] == UInt8(ascii: "Z")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - Int(UInt8(ascii: "0"))
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var millis = 0
        if bytes.count == 24 {
            guard bytes[19] == UInt8(ascii: "."), let value = number(20..<23) else { return nil }
            millis = value
        }
        let seconds = daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
        // The nearest Double to a time such as .250 past a second can fall just short of it, and
        // writing truncates: step up to the next Double then, so that the date written back reads
        // the same (otherwise a time could lose a millisecond at every save). One step does it
        // for any date after 1985; earlier ones, where `Date`'s count from 2001 rounds, are only
        // tried a few times.
        var time = Double(seconds) + Double(millis) / 1000
        var date = Date(timeIntervalSince1970: time)
        for _ in 0..<3 where secondsAndMillis(date) != (seconds, millis) {
            time = time.nextUp
            date = Date(timeIntervalSince1970: time)
        }
        return date
    }

    /// Whole seconds since 1970 and the millisecond within, both truncated.
    static func secondsAndMillis(_ date: Date) -> (Int, Int) {
        let time = date.timeIntervalSince1970
        let whole = time.rounded(.down)
        return (Int(whole), min(999, Int(((time - whole) * 1000).rounded(.down))))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y.floorDivided(by: 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of `daysSinceEpoch` (Hinnant's `civil_from_days`).
    static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = shifted.floorDivided(by: 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int {
    /// Division rounding towards minus infinity, for dates before 1970.
    fileprivate func floorDivided(by divisor: Int) -> Int {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
