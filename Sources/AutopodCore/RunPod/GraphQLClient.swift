import AutopodSupport
import FoundationEssentials
import Logging

/// Why a GraphQL call to RunPod failed, sorted by what the caller should do about it.
public enum RunPodAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP 401/403: the key is wrong, revoked or read-only.
    case unauthorized(status: Int)
    /// No machine has the GPUs asked for; another type or data centre may.
    case capacity(message: String)
    /// The pod does not exist (or no longer does).
    case notFound(message: String)
    /// The server had a passing problem (5xx, 429, "Something went wrong").
    case transient(message: String)
    /// The request reached RunPod but was refused for another reason.
    case rejected(message: String)
    /// No answer: the request may or may not have arrived.
    case transport(HTTPError)
    /// HTTP 404 or 410: the endpoint itself is gone (RunPod retires
    /// GraphQL in early 2027). Nothing was carried out.
    case gone(status: Int)
    /// The answer could not be read.
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .unauthorized(let status):
            return "RunPod refused the API key (HTTP \(status)). Check RUNPOD_API_KEY or run `autopod config init`; keys are at https://www.runpod.io/console/user/settings"
        case .capacity(let message): return "RunPod has no capacity: \(message)"
        case .notFound(let message): return "not found on RunPod: \(message)"
        case .transient(let message): return "RunPod had a temporary problem: \(message.withoutFinalPeriod). Try again in a minute."
        case .rejected(let message): return "RunPod refused the request: \(message)"
        case .transport(let error): return error.description
        case .gone(let status):
            return "RunPod's GraphQL API is no longer there (HTTP \(status)); it was retired in 2027. "
                + "Set AUTOPOD_API=rest (or auto), or `\"api\": \"rest\"` in config.json, to use REST v2."
        case .invalidResponse(let detail): return "RunPod's answer could not be read: \(detail)"
        }
    }

    /// Whether the outcome of a mutation is unknown: the request may have been carried out.
    public var outcomeUnknown: Bool {
        switch self {
        case .transport(let error): return error.requestMayHaveArrived
        case .transient: return true
        default: return false
        }
    }
}

/// Posts GraphQL documents to `{base}/graphql` with a bearer key and reads `data` and `errors`.
public struct GraphQLClient: Sendable {
    public let endpoint: String
    private let apiKey: String
    private let http: HTTPClient
    private let logger = Logger(label: "autopod.graphql")
    public var timeout: Duration = .seconds(30)

    public init(baseURL: String, apiKey: String, http: HTTPClient = HTTPClient()) {
        self.endpoint = RunPodAPIRoot.of(baseURL) + "/graphql"
        self.apiKey = apiKey
        self.http = http
    }

    /// Runs `query` and returns its `data`. Queries may be retried (`policy: .standard`);
    /// mutations must pass `.never` and resolve unknown outcomes themselves.
    public func execute(
        _ query: String, variables: [String: JSONValue] = [:], policy: RetryPolicy
    ) throws(RunPodAPIError) -> JSONValue {
        // The last guard before the key leaves: callers check the URL with a better message.
        if let problem = APIEndpoint.problem(endpoint) {
            throw .transport(HTTPError(kind: .request, curlCode: 0, message: problem, url: Redactor.urlWithoutQuery(endpoint)))
        }
        let body = Data(utf8: JSONValue.object(["query": .string(query), "variables": .object(variables)]).serialized())
        let request = HTTPRequest(
            method: "POST", url: endpoint,
            headers: ["Authorization": "Bearer \(apiKey)", "Content-Type": "application/json", "Accept": "application/json"],
            body: body, timeout: timeout)
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try http.send(request, policy: policy)
        } catch {
            throw .transport(error)
        }
        // -v shows which API each call used.
        logger.debug(
            "GraphQL \(Self.operationName(query)) → HTTP \(response.status)",
            metadata: ["api": "graphql", "ms": "\(Int(started.elapsed.seconds * 1000))"])
        if response.status == 401 || response.status == 403 { throw .unauthorized(status: response.status) }
        // GraphQL answers business errors with 200: a 404 or 410 is the endpoint itself, whatever
        // the body says.
        if response.status == 404 || response.status == 410 { throw .gone(status: response.status) }
        let reply = try? JSONValue.parse(response.body)
        let messages = reply?["errors"].arrayValue?.compactMap { $0["message"].stringValue } ?? []
        if let first = messages.first { throw Self.classify(first, status: response.status) }
        if response.status == 429 || response.status >= 500 {
            throw .transient(message: "HTTP \(response.status)")
        }
        guard response.status == 200, let reply else {
            throw .invalidResponse("HTTP \(response.status), \(response.body.count) bytes")
        }
        return reply["data"]
    }

    /// `Pods` of `query Pods { ... }`, for the log; the first field when the document is anonymous.
    static func operationName(_ document: String) -> String {
        let words = document.split(whereSeparator: { !$0.isLetter && !$0.isNumber && $0 != "_" })
        guard let first = words.first else { return "?" }
        if first == "query" || first == "mutation" { return words.dropFirst().first.map(String.init) ?? String(first) }
        return String(first)
    }

    /// Sorts RunPod's error messages into kinds, by the wording RunPod uses.
    public static func classify(_ message: String, status: Int) -> RunPodAPIError {
        let lower = message.lowercased()
        if RunPodWording.meansNoCapacity(message) { return .capacity(message: message) }
        if lower.contains("not found") || lower.contains("does not exist") || lower.contains("no pod") {
            return .notFound(message: message)
        }
        if lower.contains("something went wrong") || status >= 500 || status == 429 {
            return .transient(message: message)
        }
        if lower.contains("unauthorized") || lower.contains("api key") {
            return .unauthorized(status: status)
        }
        return .rejected(message: message)
    }
}
