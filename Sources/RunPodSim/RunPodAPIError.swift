import AutopodSupport
import Foundation

/// A business error as RunPod reports it: HTTP 200, an `errors` entry with this message and the
/// field's path, and `data` null for the field. `description` is the message GraphQLSwift uses.
/// The REST API turns the same error into a problem reply whose status follows `kind`.
struct RunPodAPIError: Error, CustomStringConvertible, Sendable {
    enum Kind: Sendable {
        case capacity, notFound, forbidden, invalid
    }

    let message: String
    var kind: Kind = .invalid
    var description: String { message }

    static let noInstances = RunPodAPIError(
        message: "There are no longer any instances available with the requested specifications. Please refresh and try again.",
        kind: .capacity)
    static let notEnoughGPUs = RunPodAPIError(
        message: "There are not enough free GPUs on the host machine to start this pod.", kind: .capacity)
    static func podNotFound(_ id: String) -> RunPodAPIError {
        RunPodAPIError(message: "Pod not found: no pod with id \(id) exists on this account.", kind: .notFound)
    }
    static func forbidden(_ what: String) -> RunPodAPIError {
        RunPodAPIError(message: "Unauthorized: this API key is scoped to one pod and cannot \(what).", kind: .forbidden)
    }
    static func invalid(_ what: String) -> RunPodAPIError {
        RunPodAPIError(message: what)
    }
}
