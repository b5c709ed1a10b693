import Foundation

/// What `GET /v2/billing/pods` charges, from the pods' real running intervals and RunPod's
/// prices: GPUs at the pod's hourly rate while running; container disk at $0.10/GB/month while
/// running; a pod volume at $0.10/GB/month running and $0.20/GB/month stopped, until the pod is
/// terminated. A month is 30 days, and everything is charged per second. A network volume is
/// billed as a volume, not in pod records.
enum PodBilling {
    static let containerDiskPerGBMonth = 0.10
    static let volumeRunningPerGBMonth = 0.10
    static let volumeStoppedPerGBMonth = 0.20
    static let secondsPerMonth = 30.0 * 86_400

    struct Subject: Sendable {
        let podID: String
        let createdAt: Date
        let terminatedAt: Date?
        let runs: [RunInterval]
        let containerDiskGB: Int
        let volumeGB: Int
    }

    struct Amounts: Sendable, Equatable {
        var gpu = 0.0
        var cpu = 0.0
        var disk = 0.0
        var total: Double { gpu + cpu + disk }

        static func + (a: Amounts, b: Amounts) -> Amounts {
            Amounts(gpu: a.gpu + b.gpu, cpu: a.cpu + b.cpu, disk: a.disk + b.disk)
        }
    }

    /// The charges of one pod within [start, end), with `now` closing open intervals.
    static func amounts(_ pod: Subject, from start: Date, to end: Date, now: Date) -> Amounts {
        var amounts = Amounts()
        var running = 0.0
        for run in pod.runs {
            let seconds = overlap(run.start, run.end ?? now, start, end)
            running += seconds
            amounts.gpu += run.gpuRatePerHour * seconds / 3600
        }
        let alive = overlap(pod.createdAt, pod.terminatedAt ?? now, start, end)
        let stopped = max(0, alive - running)
        amounts.disk =
            (Double(pod.containerDiskGB) * containerDiskPerGBMonth * running
                + Double(pod.volumeGB) * (volumeRunningPerGBMonth * running + volumeStoppedPerGBMonth * stopped))
            / secondsPerMonth
        return amounts
    }

    /// Seconds [a0, a1) and [b0, b1) share.
    static func overlap(_ a0: Date, _ a1: Date, _ b0: Date, _ b1: Date) -> Double {
        max(0, min(a1, b1).timeIntervalSince(max(a0, b0)))
    }

    /// Whether a pod existed at some moment of [start, end).
    static func existed(_ pod: Subject, from start: Date, to end: Date, now: Date) -> Bool {
        pod.createdAt < end && (pod.terminatedAt ?? now) > start
    }

    // MARK: Buckets

    enum BucketSize: String, Sendable, CaseIterable {
        case hour, day, week, month, year
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The start of the bucket `date` falls in (UTC; weeks start on Monday).
    static func floor(_ date: Date, _ size: BucketSize) -> Date {
        let component: Calendar.Component
        switch size {
        case .hour: component = .hour
        case .day: component = .day
        case .week: component = .weekOfYear
        case .month: component = .month
        case .year: component = .year
        }
        return calendar.dateInterval(of: component, for: date)?.start ?? date
    }

    static func next(_ start: Date, _ size: BucketSize) -> Date {
        switch size {
        case .hour: return calendar.date(byAdding: .hour, value: 1, to: start)!
        case .day: return calendar.date(byAdding: .day, value: 1, to: start)!
        case .week: return calendar.date(byAdding: .day, value: 7, to: start)!
        case .month: return calendar.date(byAdding: .month, value: 1, to: start)!
        case .year: return calendar.date(byAdding: .year, value: 1, to: start)!
        }
    }

    static func previous(_ start: Date, _ size: BucketSize, count: Int) -> Date {
        switch size {
        case .hour: return calendar.date(byAdding: .hour, value: -count, to: start)!
        case .day: return calendar.date(byAdding: .day, value: -count, to: start)!
        case .week: return calendar.date(byAdding: .day, value: -7 * count, to: start)!
        case .month: return calendar.date(byAdding: .month, value: -count, to: start)!
        case .year: return calendar.date(byAdding: .year, value: -count, to: start)!
        }
    }

    /// Snaps an end up to a bucket boundary (unless already on one).
    static func ceiling(_ date: Date, _ size: BucketSize) -> Date {
        let start = floor(date, size)
        return start == date ? date : next(start, size)
    }

    /// The buckets of [start, end), both on boundaries; nil beyond `limit` buckets.
    static func buckets(from start: Date, to end: Date, _ size: BucketSize, limit: Int = 100_000) -> [(Date, Date)]? {
        var result: [(Date, Date)] = []
        var cursor = start
        while cursor < end {
            let following = next(cursor, size)
            result.append((cursor, following))
            if result.count > limit { return nil }
            cursor = following
        }
        return result
    }
}
