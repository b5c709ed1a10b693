import AutopodSupport
import FoundationEssentials
import Logging

/// Reads a pod's log from `GET /v2/pods/{id}/logs` (Server-Sent Events whose data is
/// `{"ts", "source", "line"}`), and keeps reading across broken connections: each reconnect
/// sends the last event id as `Last-Event-ID`, so the server resumes after the last line shown.
/// Should a server resume at that line rather than after it, lines already shown are skipped
/// until a new one arrives, so nothing is printed twice either way.
///
/// A 429 waits as long as `Retry-After` says; a 5xx or a broken connection is retried with
/// backoff; anything else ends it with the usual `ProviderError`.
struct PodLogFollower {
    let client: RESTClient
    let streams: CurlStreamingClient
    let podID: String
    let request: PodLogRequest
    /// Asked when a followed stream ends normally: a terminated pod's log is complete.
    var podGone: () throws(ProviderError) -> Bool = { false }
    /// Without `follow`, the history counts as read once the stream has been quiet this long
    /// (the endpoint sends its backfill at once and then stays open for new lines).
    var quietEnd: Duration = .milliseconds(750)
    /// A stream silent for this long (RunPod sends keep-alive comments) counts as broken.
    var silenceLimit: Duration = .seconds(60)
    /// Failed connections in a row (with nothing received) before giving up.
    var maxFailures = 8
    private let logger = Logger(label: "autopod.logs")

    init(client: RESTClient, streams: CurlStreamingClient, podID: String, request: PodLogRequest) {
        self.client = client
        self.streams = streams
        self.podID = podID
        self.request = request
    }

    func run(cancelled: () -> Bool, onLine: (PodLogLine) -> Void) throws(ProviderError) {
        var lastEventID: String? = nil
        var recent = RecentKeys(capacity: 4096)
        var failures = 0
        var rateLimited = 0
        while !cancelled() {
            let resuming = lastEventID != nil
            var httpRequest = client.makeRequest(
                "GET", "/v2/pods/\(RESTClient.escape(podID))/logs", query: query(resuming: resuming), body: nil,
                accept: "text/event-stream")
            httpRequest.headers["Cache-Control"] = "no-cache"
            if let lastEventID { httpRequest.headers["Last-Event-ID"] = lastEventID }
            httpRequest.timeout = silenceLimit
            var parser = ServerSentEventParser()
            var replaying = resuming
            var received = 0
            var lastActivity = ContinuousClock.now
            let outcome: CurlStreamingClient.Outcome
            do {
                outcome = try streams.stream(
                    httpRequest,
                    onResponse: { _ in lastActivity = .now },
                    onBody: { bytes in
                        lastActivity = .now
                        for event in parser.feed(bytes) {
                            let line = Self.line(from: event)
                            let key = Self.key(line)
                            if replaying, recent.contains(key) { continue }
                            replaying = false
                            recent.insert(key)
                            received += 1
                            onLine(line)
                        }
                        if let id = parser.lastEventID { lastEventID = id }
                    },
                    shouldStop: { cancelled() || (!request.follow && lastActivity.elapsed >= quietEnd) })
            } catch {
                failures = received > 0 ? 1 : failures + 1
                logger.debug("log stream broke", metadata: ["pod": "\(podID)", "error": "\(error)", "failures": "\(failures)"])
                if failures > maxFailures { throw .transient(message: error.description, outcomeUnknown: false) }
                pause(Self.backoff(failures), cancelled: cancelled)
                continue
            }
            logger.debug("REST v2 GET /v2/pods/{id}/logs → HTTP \(outcome.status)", metadata: ["api": "rest", "lines": "\(received)"])
            if outcome.stopped { return }
            if received > 0 { failures = 0 }
            switch outcome.status {
            case 200...299:
                // The server ended the stream. The history is all there is, or, when following,
                // the pod may be gone for good; otherwise reconnect.
                if !request.follow { return }
                if try podGone() { return }
                failures += received > 0 ? 0 : 1
                if failures > maxFailures { throw .transient(message: "RunPod keeps closing the log stream", outcomeUnknown: false) }
                pause(Self.backoff(max(1, failures)), cancelled: cancelled)
            case 429:
                rateLimited += 1
                if rateLimited > 30 { throw RESTClient.classify(status: 429, problem: Self.problem(outcome), mutation: false) }
                let wait = outcome.response.retryAfter ?? .seconds(1)
                logger.debug("log stream rate limited; waiting as RunPod asks", metadata: ["seconds": "\(wait.seconds)"])
                pause(wait, cancelled: cancelled)
                continue
            case 408, 500...599:
                failures += 1
                if failures > maxFailures {
                    throw RESTClient.classify(status: outcome.status, problem: Self.problem(outcome), mutation: false)
                }
                pause(outcome.response.retryAfter ?? Self.backoff(failures), cancelled: cancelled)
            default:
                throw RESTClient.classify(
                    status: outcome.status, problem: Self.problem(outcome), mutation: false, url: httpRequest.url)
            }
            rateLimited = 0
        }
    }

    /// `source`, and where to start: the last `tail` lines or from `since`. A reconnect sends
    /// `Last-Event-ID`, which takes precedence, so neither is sent then.
    func query(resuming: Bool) -> [(String, String)] {
        var query = [("source", request.source.rawValue)]
        guard !resuming else { return query }
        if let since = request.since {
            query.append(("since", ISO8601Timestamp.format(since, milliseconds: true)))
        } else if let tail = request.tail {
            query.append(("tail", "\(min(max(0, tail), 5000))"))
        }
        return query
    }

    /// An event's `{"ts", "source", "line"}`; data that is not that JSON is shown as it came.
    static func line(from event: ServerSentEvent) -> PodLogLine {
        if !event.truncated, let json = try? JSONValue.parse(Data(event.data.utf8)), let text = json["line"].stringValue {
            return PodLogLine(id: event.id, timestamp: json["ts"].stringValue, source: json["source"].stringValue, text: text)
        }
        let text = event.truncated ? event.data + " [cut: longer than autopod keeps]" : event.data
        return PodLogLine(id: event.id, timestamp: nil, source: nil, text: text)
    }

    /// What makes a line the same line again after a reconnect.
    static func key(_ line: PodLogLine) -> String {
        "\(line.id ?? "")\u{1F}\(line.timestamp ?? "")\u{1F}\(line.source ?? "")\u{1F}\(line.text)"
    }

    /// 0.1 s, 0.25 s, 0.5 s, 1 s, 2 s ... up to 8 s: the first reconnect is quick, since a cut
    /// connection is usually back at once.
    static func backoff(_ failures: Int) -> Duration {
        failures <= 1 ? .milliseconds(100) : .milliseconds(Int64(min(8, 0.25 * pow(2, Double(failures - 2))) * 1000))
    }

    static func problem(_ outcome: CurlStreamingClient.Outcome) -> JSONValue {
        (try? JSONValue.parse(outcome.errorBody)) ?? .null
    }

    /// Sleeps in small steps so Ctrl+C is not kept waiting.
    private func pause(_ duration: Duration, cancelled: () -> Bool) {
        let deadline = Deadline.after(duration)
        while !deadline.hasPassed && !cancelled() {
            Sleep.for(min(.milliseconds(50), deadline.remaining))
        }
    }
}

/// The most recent keys seen, up to a bound: old ones are forgotten first.
struct RecentKeys {
    let capacity: Int
    private var order: [String] = []
    private var head = 0
    private var set: Set<String> = []

    init(capacity: Int) { self.capacity = capacity }

    func contains(_ key: String) -> Bool { set.contains(key) }

    mutating func insert(_ key: String) {
        guard !set.contains(key) else { return }
        if order.count < capacity {
            order.append(key)
        } else {
            set.remove(order[head])
            order[head] = key
            head = (head + 1) % capacity
        }
        set.insert(key)
    }
}
