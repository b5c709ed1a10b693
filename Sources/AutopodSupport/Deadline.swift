/// The one clock for timeouts, backoff and deadlines. ContinuousClock is monotonic and keeps
/// counting while the machine sleeps, so a deadline set before a laptop lid closes has passed
/// when it opens again, and no wall-clock change moves it.
public typealias MonotonicClock = ContinuousClock

/// A point on the monotonic clock by which something must be done.
public struct Deadline: Sendable, Comparable {
    public let instant: ContinuousClock.Instant

    public init(_ instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    /// `duration` from now.
    public static func after(_ duration: Duration) -> Deadline {
        Deadline(ContinuousClock.now.advanced(by: duration))
    }

    /// Time left, never negative.
    public var remaining: Duration {
        max(.zero, ContinuousClock.now.duration(to: instant))
    }

    public var hasPassed: Bool { ContinuousClock.now >= instant }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.instant < rhs.instant }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    public var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }

    /// The duration rounded to whole seconds, for messages ("gave up after 10 s").
    public var wholeSeconds: Int {
        Int(seconds.rounded())
    }

    /// The duration in whole milliseconds, clamped to what poll() takes.
    public var pollMilliseconds: Int32 {
        let ms = seconds * 1000
        if ms <= 0 { return 0 }
        return ms >= Double(Int32.max) ? Int32.max : Int32(ms.rounded(.up))
    }
}

extension ContinuousClock.Instant {
    /// Seconds from `self` to now.
    public var elapsed: Duration { duration(to: ContinuousClock.now) }
}
