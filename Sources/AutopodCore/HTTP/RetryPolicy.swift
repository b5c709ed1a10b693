import AutopodSupport
import FoundationEssentials

/// When and how long to wait before repeating a request. Only the caller knows whether a request
/// may be repeated at all (a pod create must not be), so the policy is asked per request.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The wait before the first retry; it doubles each time up to `maxDelay`.
    public var initialDelay: Double
    public var maxDelay: Double
    /// No retry starts once this much time has passed since the first attempt.
    public var totalBudget: Double

    public init(maxAttempts: Int, initialDelay: Double, maxDelay: Double, totalBudget: Double) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.totalBudget = totalBudget
    }

    /// For reads and other idempotent calls.
    public static let standard = RetryPolicy(maxAttempts: 5, initialDelay: 0.5, maxDelay: 8, totalBudget: 45)
    /// For calls that must never be repeated blindly.
    public static let never = RetryPolicy(maxAttempts: 1, initialDelay: 0, maxDelay: 0, totalBudget: 0)

    /// Statuses worth another try: timeouts, rate limits and server errors. Other 4xx are final.
    public static func isRetryable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }

    /// The wait before retry number `retry` (1 for the first retry): exponential backoff with
    /// full jitter in [delay/2, delay], unless the server named a time with Retry-After.
    public func delay(beforeRetry retry: Int, retryAfter: Double?, random: Double = Double.random(in: 0...1))
        -> Double
    {
        if let retryAfter { return min(retryAfter, totalBudget) }
        let base = min(maxDelay, initialDelay * pow(2, Double(retry - 1)))
        return base / 2 + base / 2 * random
    }
}
