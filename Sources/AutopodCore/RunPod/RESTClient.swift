import AutopodSupport
import FoundationEssentials
import Logging

/// Calls RunPod's REST v2 API (`{base}/v2/...`) with a bearer key: JSON bodies in and out, and
/// RFC 9457 problem details (`{title, status, detail, errors}`) sorted into `ProviderError`s.
///
/// Reads are retried through passing failures (429 waits for `Retry-After`). A mutation is sent
/// once, except after a 429: a rate-limited request was turned away before anything happened,
/// so sending it again when the server says is not a blind repeat.
public struct RESTClient: Sendable {
    /// `https://api.runpod.io`, without a trailing slash; paths start with `/v2/`.
    public let baseURL: String
    private let apiKey: String
    public let http: HTTPClient
    private let logger = Logger(label: "autopod.rest")
    /// Time allowed for each exchange.
    public var timeout: Duration = .seconds(30)
    /// How long a mutation may spend waiting out rate limits before it gives up.
    public var rateLimitBudget: Duration = .seconds(60)
    /// How a wait is spent (tests pass their own).
    public var sleep: @Sendable (Duration) -> Void = { Sleep.for($0) }

    public init(baseURL: String, apiKey: String, http: HTTPClient = HTTPClient()) {
        self.baseURL = RunPodAPIRoot.of(baseURL)
        self.apiKey = apiKey
        self.http = http
    }

    /// A reply that was a success (2xx): its status and its JSON body (`.null` when empty).
    public struct Reply: Sendable {
        public let status: Int
        public let body: JSONValue
    }

    /// `GET path?query`, retried through passing failures.
    public func get(_ path: String, query: [(String, String)] = []) throws(ProviderError) -> JSONValue {
        try call("GET", path, query: query, body: nil, mutation: false).body
    }

    /// One call. `mutation` decides the retry rule (see the type's comment) and whether a lost
    /// reply leaves the outcome unknown.
    public func call(
        _ method: String, _ path: String, query: [(String, String)] = [], body: JSONValue?, mutation: Bool
    ) throws(ProviderError) -> Reply {
        // The last guard before the key leaves: callers check the URL with a better message.
        if let problem = APIEndpoint.problem(baseURL) { throw .rejected(message: problem) }
        let request = makeRequest(method, path, query: query, body: body)
        let started = ContinuousClock.now
        var response: HTTPResponse
        do {
            response = try http.send(request, policy: mutation ? .never : .standard)
            var waited = Duration.zero
            while mutation, response.status == 429 {
                let wait = response.retryAfter ?? .seconds(1)
                guard waited + wait <= rateLimitBudget else { break }
                logger.debug("rate limited; waiting as RunPod asks", metadata: ["path": "\(path)", "seconds": "\(wait.seconds)"])
                sleep(wait)
                waited += wait
                response = try http.send(request, policy: .never)
            }
        } catch {
            logger.debug("REST v2 \(method) \(path) → \(error.kind)", metadata: ["api": "rest"])
            throw .transient(message: error.description, outcomeUnknown: mutation && error.requestMayHaveArrived)
        }
        // -v shows which API each call used.
        logger.debug(
            "REST v2 \(method) \(path) → HTTP \(response.status)",
            metadata: ["api": "rest", "ms": "\(Int((started.elapsed.seconds * 1000).rounded()))"])
        let json: JSONValue? = response.body.isEmpty ? .null : try? JSONValue.parse(response.body)
        if (200...299).contains(response.status) {
            guard let json else {
                let detail = "HTTP \(response.status) with a body that is not JSON (\(response.body.count) bytes)"
                // An unreadable answer to a mutation says nothing about whether it happened.
                if mutation { throw .transient(message: "RunPod's answer could not be read: \(detail)", outcomeUnknown: true) }
                throw .invalidResponse(detail: detail)
            }
            return Reply(status: response.status, body: json)
        }
        throw Self.classify(status: response.status, problem: json ?? .null, mutation: mutation, url: baseURL + path)
    }

    /// The request for `method path?query` with the key and JSON headers.
    func makeRequest(_ method: String, _ path: String, query: [(String, String)], body: JSONValue?, accept: String = "application/json")
        -> HTTPRequest
    {
        var headers = ["Authorization": "Bearer \(apiKey)", "Accept": accept]
        var data = Data()
        if let body {
            headers["Content-Type"] = "application/json"
            data = Data(utf8: body.serialized())
        }
        return HTTPRequest(method: method, url: url(path, query: query), headers: headers, body: data, timeout: timeout)
    }

    func url(_ path: String, query: [(String, String)]) -> String {
        guard !query.isEmpty else { return baseURL + path }
        return baseURL + path + "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters (a `+` in a timestamp
    /// would otherwise read as a space).
    public static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".utf8)
                out += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
            }
        }
        return out
    }

    /// Sorts a failed reply into the kinds the rest of autopod acts on, with RunPod's `detail`
    /// and `errors` as the message. Pure, so every status can be tested on its own.
    public static func classify(status: Int, problem: JSONValue, mutation: Bool, url: String = "") -> ProviderError {
        let detail = problem["detail"].stringValue ?? problem["title"].stringValue
        let errors = problem["errors"].arrayValue?.compactMap(\.stringValue) ?? []
        var message = detail ?? "HTTP \(status)"
        if !errors.isEmpty { message += " (" + errors.joined(separator: "; ") + ")" }
        // A problem document has a numeric status; a bare 404 page means the API is not there.
        let isProblem = problem["status"].intValue != nil || detail != nil
        switch status {
        case 401, 403:
            return .unauthorized(
                detail: "RunPod refused the API key (HTTP \(status)\(detail.map { ": \($0)" } ?? "")). "
                    + "Check RUNPOD_API_KEY or run `autopod config init`; keys are at https://www.runpod.io/console/user/settings")
        case 404 where !isProblem, 405 where !isProblem, 410:
            return .unsupported(
                message: "RunPod's REST v2 API is not available at \(Redactor.urlWithoutQuery(url)) (HTTP \(status)). "
                    + "Set AUTOPOD_API=graphql, or `\"api\": \"graphql\"` in config.json, to use GraphQL.")
        case 404: return .notFound(message: message)
        case 409: return .conflict(message: message)
        case 400 where RunPodWording.meansNoCapacity(message): return .capacity(message: message)
        case 429: return .transient(message: "RunPod's rate limit: \(message.withoutFinalPeriod). Try again in a minute.", outcomeUnknown: false)
        case 500...599:
            return .transient(message: "RunPod had a temporary problem: \(message.withoutFinalPeriod). Try again in a minute.", outcomeUnknown: mutation)
        default: return .rejected(message: message)
        }
    }
}
