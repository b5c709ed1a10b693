import Foundation

/// The per-account windows behind REST's `RateLimit` and `RateLimit-Policy` headers (IETF
/// ratelimit-headers, as RunPod sends them on every authenticated reply). The simulator counts
/// requests but never refuses one on its own: tests poll hard, and a 429 comes only from an
/// armed fault, whose reply shows the minute window exhausted.
final class RateLimitWindows: @unchecked Sendable {
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
        var windowStart: Date
        var used: Int
    }

    private let lock = NSLock()
    /// Guarded by `lock`.
    private var counters: [Counter]

    init(now: Date = Date()) {
        counters = Self.windows.map { _ in Counter(windowStart: now, used: 0) }
    }

    /// Counts one request and returns the `RateLimit` header value after it; `exhausted`
    /// (a 429 fault) reports the minute window at zero, resetting in `retryAfter` seconds.
    func record(now: Date = Date(), exhausted retryAfter: Int? = nil) -> String {
        lock.lock()
        defer { lock.unlock() }
        var parts: [String] = []
        for (index, window) in Self.windows.enumerated() {
            var counter = counters[index]
            let elapsed = now.timeIntervalSince(counter.windowStart)
            if elapsed >= Double(window.seconds) || elapsed < 0 {
                counter = Counter(windowStart: now, used: 0)
            }
            counter.used += 1
            counters[index] = counter
            var remaining = max(0, window.quota - counter.used)
            var reset = max(1, window.seconds - Int(now.timeIntervalSince(counter.windowStart)))
            if let retryAfter, index == 0 {
                remaining = 0
                reset = retryAfter
            }
            parts.append("\"\(window.name)\";r=\(remaining);t=\(reset)")
        }
        return parts.joined(separator: ", ")
    }
}
