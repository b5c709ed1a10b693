import AutopodSupport
import FoundationEssentials

/// When and how long to wait before repeating a request. Only the caller knows whether a request
/// may be repeated at all (a pod create must not be), so the policy is asked per request.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The wait before the first retry; it doubles each time up to `maxDelay`.
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// No retry starts once this much time has passed since the first attempt.
    public var totalBudget: Duration

    /// For reads and other idempotent calls.
    public static let standard = RetryPolicy(
        maxAttempts: 5, initialDelay: .milliseconds(500), maxDelay: .seconds(8), totalBudget: .seconds(45))
    /// For calls that must never be repeated blindly.
    public static let never = RetryPolicy(maxAttempts: 1, initialDelay: .zero, maxDelay: .zero, totalBudget: .zero)

    /// Statuses worth another try: timeouts, rate limits and server errors. Other 4xx are final.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    /// The wait before retry number `retry` (1 for the first retry): exponential backoff with
    /// jitter in [delay/2, delay], unless the server named a time with Retry-After. `random` is
    /// where in that range the wait falls (0 the shortest, 1 the longest).
    public func delay(beforeRetry retry: Int, retryAfter: Duration?, random: Double = Double.random(in: 0...1))
        -> Duration
    {
        if let retryAfter { return min(retryAfter, totalBudget) }
        // Doubling stops at maxDelay; the exponent is capped so a large retry count cannot
        // overflow the multiplication before the cap applies.
        let base = min(maxDelay, initialDelay * pow(2, Double(min(max(retry - 1, 0), 32))))
        return base / 2 + base / 2 * random
    }
}
