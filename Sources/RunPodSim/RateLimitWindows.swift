import AutopodSupport
import Foundation

/// The per-account windows behind REST's `RateLimit` and `RateLimit-Policy` headers (IETF
/// ratelimit-headers, as RunPod sends them on every authenticated reply). The simulator counts
/// requests but never refuses one on its own: tests poll hard, and a 429 comes only from an
/// armed fault, whose reply shows the minute window exhausted.
final class RateLimitWindows: Sendable {
    struct Window: Sendable {
        let name: String
        let quota: Int
        let seconds: Int
    }

    /// Generous quotas, so a client that throttles on `r` never slows a test down.
    static let windows = [
        Window(name: "minute", quota: 6_000, seconds: 60),
        Window(name: "hour", quota: 300_000, seconds: 3_600),
        Window(name: "day", quota: 5_000_000, seconds: 86_400),
    ]

    static let policyHeader = windows.map { "\"\($0.name)\";q=\($0.quota);w=\($0.seconds)" }.joined(separator: ", ")

    private struct Counter {
        var windowStart: ContinuousClock.Instant
        var used: Int
    }

    /// One counter per window, in `windows` order; requests come from any thread.
    private let counters: LockedValue<[Counter]>

    init(now: ContinuousClock.Instant = .now) {
        counters = LockedValue(Self.windows.map { _ in Counter(windowStart: now, used: 0) })
    }

    /// Counts one request and returns the `RateLimit` header value after it; `exhausted`
    /// (a 429 fault) reports the minute window at zero, resetting in `retryAfter` seconds.
    func record(now: ContinuousClock.Instant = .now, exhausted retryAfter: Int? = nil) -> String {
        counters.withLock { counters in record(&counters, now: now, exhausted: retryAfter) }
    }

    private func record(_ counters: inout [Counter], now: ContinuousClock.Instant, exhausted retryAfter: Int?) -> String {
        var parts: [String] = []
        for (index, window) in Self.windows.enumerated() {
            var counter = counters[index]
            let elapsed = counter.windowStart.duration(to: now)
            if elapsed >= .seconds(window.seconds) || elapsed < .zero {
                counter = Counter(windowStart: now, used: 0)
            }
            counter.used += 1
            counters[index] = counter
            var remaining = max(0, window.quota - counter.used)
            var reset = max(1, window.seconds - Int(counter.windowStart.duration(to: now).seconds))
            if let retryAfter, index == 0 {
                remaining = 0
                reset = retryAfter
            }
            parts.append("\"\(window.name)\";r=\(remaining);t=\(reset)")
        }
        return parts.joined(separator: ", ")
    }
}
