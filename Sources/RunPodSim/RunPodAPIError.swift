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
    /// A spot bid under the market's floor; the message names the floor, as RunPod's does.
    static func bidTooLow(bid: Double, minimum: Double, gpuType: String) -> RunPodAPIError {
        RunPodAPIError(
            message: "Your bid of $\(money(bid))/GPU/hr is below the minimum bid of $\(money(minimum))/GPU/hr for \(gpuType). "
                + "Please increase your bid and try again.", kind: .invalid)
    }
    static func aboveDeployCost(ceiling: Double, lowest: Double) -> RunPodAPIError {
        RunPodAPIError(
            message: "There are no instances available at or below your maximum price of $\(money(ceiling))/hr "
                + "(the lowest is $\(money(lowest))/hr).", kind: .capacity)
    }
    /// "0.2" as "0.20", "0.195" as "0.195": cents always, a third digit only when it says something.
    static func money(_ value: Double) -> String {
        var text = String(format: "%.3f", value)
        if text.hasSuffix("0") { text.removeLast() }
        return text
    }
    static func invalid(_ what: String) -> RunPodAPIError {
        RunPodAPIError(message: what)
    }
}
