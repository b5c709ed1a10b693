import AutopodSupport
import FoundationEssentials

/// Why a call to the cloud failed, sorted by what autopod should do next.
public enum ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The API key is wrong, revoked or lacks permission.
    case unauthorized(detail: String)
    /// No machine has the GPUs asked for; another GPU type (or later) may.
    case capacity(message: String)
    /// The pod does not exist (any more).
    case notFound(message: String)
    /// A passing problem (5xx, rate limit, timeout). `outcomeUnknown` is true when a mutation
    /// may have been carried out although no success reply arrived.
    case transient(message: String, outcomeUnknown: Bool)
    /// The pod's state does not allow what was asked (RunPod's 409), e.g. starting a running pod.
    case conflict(message: String)
    /// The request was refused for a reason retrying will not fix.
    case rejected(message: String)
    /// The API in use cannot do this at all (e.g. pod logs, which GraphQL never had).
    case unsupported(message: String)
    /// The reply could not be understood.
    case invalidResponse(detail: String)

    public var description: String {
        switch self {
        case .unauthorized(let detail): return detail
        case .capacity(let message): return "no capacity: \(message)"
        case .notFound(let message): return "not found: \(message)"
        case .transient(let message, _): return message
        case .conflict(let message): return "not possible in the pod's current state: \(message)"
        case .rejected(let message): return "refused: \(message)"
        case .unsupported(let message): return message
        case .invalidResponse(let detail): return "unreadable answer from the cloud API: \(detail)"
        }
    }

    /// Whether a mutation that failed this way may nevertheless have happened.
    public var outcomeUnknown: Bool {
        if case .transient(_, let unknown) = self { return unknown }
        return false
    }

    public var isCapacity: Bool {
        if case .capacity = self { return true }
        return false
    }
}
