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
    /// The answer could not be read.
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .unauthorized(let status):
            return "RunPod refused the API key (HTTP \(status)). Check RUNPOD_API_KEY or run `autopod config init`; keys are at https://www.runpod.io/console/user/settings"
        case .capacity(let message): return "RunPod has no capacity: \(message)"
        case .notFound(let message): return "not found on RunPod: \(message)"
        case .transient(let message): return "RunPod had a temporary problem: \(message). Try again in a minute."
        case .rejected(let message): return "RunPod refused the request: \(message)"
        case .transport(let error): return error.description
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
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.endpoint = base.hasSuffix("/graphql") ? base : base + "/graphql"
        self.apiKey = apiKey
        self.http = http
    }

    /// Runs `query` and returns its `data`. Queries may be retried (`policy: .standard`);
    /// mutations must pass `.never` and resolve unknown outcomes themselves.
    public func execute(
        _ query: String, variables: [String: JSONValue] = [:], policy: RetryPolicy
    ) throws(RunPodAPIError) -> JSONValue {
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
        logger.debug(
            "graphql", metadata: ["status": "\(response.status)", "ms": "\(Int(started.elapsed.seconds * 1000))"])
        if response.status == 401 || response.status == 403 { throw .unauthorized(status: response.status) }
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

    /// Sorts RunPod's error messages into kinds, by the wording RunPod uses.
    public static func classify(_ message: String, status: Int) -> RunPodAPIError {
        let lower = message.lowercased()
        if lower.contains("no longer any instances available") || lower.contains("not enough free gpus")
            || lower.contains("does not have the resources") || lower.contains("no instances available")
        {
            return .capacity(message: message)
        }
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
