import AutopodSupport
import Foundation

/// An API fault armed through `POST /_sim/faults`: the next `remaining` matching requests are
/// delayed and/or answered with `status`; with `afterCommit` the operation still takes effect
/// before the error reply.
///
/// A rule matches every API request (GraphQL and REST) unless narrowed: `api` ("graphql" or
/// "rest"), `path` (a REST path prefix such as "/v2/pods"), `method` (REST), and `operation`
/// (text in the GraphQL query, e.g. "podFindAndDeployOnDemand", or a REST operationId of
/// RunPod's OpenAPI document, e.g. "createPod", "listPods", "getPodLogs").
struct FaultRule: Sendable {
    var status: Int?
    var delayMs: Int
    var remaining: Int
    var afterCommit: Bool
    var operation: String?
    /// The error message to answer with instead of RunPod's generic internal error, e.g.
    /// RunPod's capacity message, to make a create fail although stock said otherwise.
    var message: String? = nil
    var api: API? = nil
    var path: String? = nil
    var method: String? = nil
    /// Seconds for the `Retry-After` header of a 429 (and of any status, if given).
    var retryAfter: Int? = nil

    enum API: String, Sendable {
        case graphql, rest
    }

    /// One request as faults see it.
    enum Call: Sendable {
        case graphQL(query: String)
        case rest(method: String, path: String, operation: String)
    }

    func matches(_ call: Call) -> Bool {
        switch call {
        case .graphQL(let query):
            guard api != .rest, path == nil, method == nil else { return false }
            return operation.map { query.contains($0) } ?? true
        case .rest(let requestMethod, let requestPath, let operationID):
            guard api != .graphql else { return false }
            if let path, !requestPath.hasPrefix(path) { return false }
            if let method, method.uppercased() != requestMethod.uppercased() { return false }
            if let operation, operation != operationID { return false }
            return true
        }
    }

    /// The `Retry-After` seconds to send: given, or 1 for a 429.
    var retryAfterSeconds: Int? {
        retryAfter ?? (status == 429 ? 1 : nil)
    }
}
