import AutopodSupport
import FoundationEssentials
import Logging

/// Sends requests through a transport and applies the retry policy the caller asks for.
public struct HTTPClient: Sendable {
    public let transport: any HTTPTransport
    private let sleep: @Sendable (Duration) -> Void
    private let logger: Logger
    /// When every request of this client must be over, retries and all: a command that only
    /// reads (`list`, `info`) falls back to what autopod recorded rather than keep a person
    /// waiting on an API that hangs. Nil: each request keeps its own timeout and policy.
    public let deadline: Deadline?

    public init(
        transport: any HTTPTransport = CurlHTTPClient(),
        logger: Logger = Logger(label: "autopod.http"),
        deadline: Deadline? = nil,
        sleep: @escaping @Sendable (Duration) -> Void = { Sleep.for($0) }
    ) {
        self.transport = transport
        self.logger = logger
        self.deadline = deadline
        self.sleep = sleep
    }

    /// Performs `request`, repeating it on connection failures, timeouts, 408, 429 and 5xx as
    /// `policy` allows. The last response (or error) is returned when the policy is exhausted.
    public func send(_ request: HTTPRequest, policy: RetryPolicy = .never) throws(HTTPError) -> HTTPResponse {
        let started = ContinuousClock.now
        var waited = Duration.zero
        var attempt = 1
        while true {
            let outcome: Result<HTTPResponse, HTTPError>
            var request = request
            if let deadline {
                let left = deadline.remaining
                guard left > .milliseconds(50) else {
                    throw HTTPError(
                        kind: .timeout, curlCode: 28, message: "no time left for this command's requests",
                        url: Redactor.urlWithoutQuery(request.url))
                }
                request.timeout = min(request.timeout, left)
                request.connectTimeout = min(request.connectTimeout, left)
            }
            do throws(HTTPError) {
                outcome = .success(try transport.perform(request))
            } catch {
                outcome = .failure(error)
            }
            let retryable: Bool
            var retryAfter: Duration? = nil
            switch outcome {
            case .success(let response):
                retryable = RetryPolicy.isRetryable(status: response.status)
                retryAfter = response.retryAfter
            case .failure(let error):
                // A reply over the size cap would only be as large again.
                retryable = error.kind != .request && error.kind != .tooLarge
            }
            // Real time, or the waits asked for when sleeping is simulated, whichever is more.
            let elapsed = max(started.elapsed, waited)
            if !retryable || attempt >= policy.maxAttempts {
                return try outcome.get()
            }
            let wait = policy.delay(beforeRetry: attempt, retryAfter: retryAfter)
            if elapsed + wait > policy.totalBudget { return try outcome.get() }
            if let deadline, deadline.remaining <= wait { return try outcome.get() }
            logger.debug(
                "retrying request",
                metadata: [
                    "url": "\(Redactor.urlWithoutQuery(request.url))", "attempt": "\(attempt)",
                    "wait": "\(wait.seconds.fixed(2))s", "outcome": "\(Self.summary(outcome))",
                ])
            sleep(wait)
            waited += wait
            attempt += 1
        }
    }

    private static func summary(_ outcome: Result<HTTPResponse, HTTPError>) -> String {
        switch outcome {
        case .success(let response): return "HTTP \(response.status)"
        case .failure(let error): return "curl error \(error.curlCode)"
        }
    }
}
