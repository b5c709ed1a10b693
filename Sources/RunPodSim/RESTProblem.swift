import Foundation

/// An error reply of the REST API as RunPod sends it: RFC 9457 `application/problem+json`,
/// `{title, status, detail, errors?}` (`ErrorResponse` in RunPod's OpenAPI document).
struct RESTProblem: Error, Sendable {
    let status: Int
    let detail: String
    var errors: [String]? = nil
    /// Extra reply headers (Retry-After on 429, Allow on 405).
    var headers: [(String, String)] = []

    var title: String { RESTProblem.title(status) }

    var body: JSONNode {
        var members: [(String, JSONNode)] = [("title", .string(title)), ("status", .int(status)), ("detail", .string(detail))]
        if let errors { members.append(("errors", .strings(errors))) }
        return .object(members)
    }

    static func title(_ status: Int) -> String {
        switch status {
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 402: return "Payment Required"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 409: return "Conflict"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Error"
        }
    }

    static func badRequest(_ detail: String) -> RESTProblem { RESTProblem(status: 400, detail: detail) }
    static func notFound(_ detail: String) -> RESTProblem { RESTProblem(status: 404, detail: detail) }
    static func conflict(_ detail: String) -> RESTProblem { RESTProblem(status: 409, detail: detail) }
    static func forbidden(_ detail: String) -> RESTProblem { RESTProblem(status: 403, detail: detail) }

    /// A contract violation: the body or a parameter does not match the document's schema.
    static func invalid(_ errors: [String]) -> RESTProblem {
        RESTProblem(status: 422, detail: "Request validation failed.", errors: errors)
    }

    static let podNotFound = RESTProblem(status: 404, detail: "pod not found")

    /// RunPod's GraphQL business errors keep their message as the REST `detail` (capacity is a
    /// 400 whose only signal is that text; a pod key reaching past its pod is a 403).
    init(_ error: RunPodAPIError) {
        switch error.kind {
        case .notFound: self.init(status: 404, detail: "pod not found")
        case .forbidden: self.init(status: 403, detail: "access denied: " + error.message)
        case .capacity, .invalid: self.init(status: 400, detail: error.message)
        }
    }

    init(status: Int, detail: String, errors: [String]? = nil, headers: [(String, String)] = []) {
        self.status = status
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }
}
