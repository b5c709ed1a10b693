import AutopodSupport
import FoundationEssentials

/// What the launcher reports while it works, so the user sees each GPU type tried and why it
/// was passed over.
public enum LaunchEvent: Sendable {
    case reservedName(String)
    case skipped(GPUType, reason: String)
    case trying(GPUType, pricePerHour: Double?)
    case passedOver(GPUType, reason: String)
    case outcomeUnknown(name: String, reason: String)
    case lookingUp(name: String, attempt: Int, of: Int)
    case created(PodRecord)
    /// A name reservation left by an earlier `connect` that has exited was settled.
    case reservationResolved(ReservationResolution)
}

/// How a name reservation whose process had exited was settled.
public enum ReservationResolution: Sendable, Equatable {
    /// No pod of that name is on the account: the create never happened, the name is free.
    case released(name: String, reservedAt: Date)
    /// The pod was created after all (its reply was lost); it is recorded now.
    case adopted(PodRecord)
}

/// Why no pod came out of a launch.
public enum LaunchError: Error, Sendable, CustomStringConvertible {
    /// Every type was out of stock or refused for capacity; each with its reason.
    /// `inStock`: other types with stock now (the only ones worth suggesting).
    case noCapacity(attempts: [(type: String, reason: String)], options: LaunchOptions, inStock: [String] = [])
    /// A failure that another GPU type would not fix (auth, rejected request, ...).
    case failed(type: String, error: ProviderError)
    /// The create's reply was lost and the pod has not appeared; nothing was retried.
    case unconfirmed(name: String, reason: String)
    case nameTaken(String)
    case interrupted
    /// The pod exists but pods.json could not be written.
    case unrecorded(id: String, name: String, reason: String)

    public var description: String {
        switch self {
        case .noCapacity(let attempts, let options, let inStock):
            let lines = attempts.map { "  - \($0.type): \($0.reason)" }.joined(separator: "\n")
            // Only types that have stock now are named: suggesting one that has none is advice
            // that fails the same way.
            let advice =
                inStock.isEmpty
                ? "No other type has stock for this either (`autopod gpus --all` shows them all): try"
                    + (options.cloud == .all ? "" : " --cloud ALL,") + " fewer GPUs, or again in a few minutes."
                : "In stock now: \(inStock.joined(separator: ", ")) (e.g. --gpu \(TerminalText.shellWord(inStock[0])); `autopod gpus` shows prices)"
                    + (options.cloud == .all ? "" : "; or --cloud ALL") + "."
            return """
                no GPU type in the list could be placed (\(options.gpuCount) GPU\(options.gpuCount == 1 ? "" : "s"), \(options.cloud.rawValue) cloud):
                \(lines)
                \(advice)
                """
        case .failed(let type, let error):
            if case .unauthorized = error { return error.description }
            return "creating a \(type) pod failed: \(error.description)"
        case .unconfirmed(let name, let reason):
            return """
                RunPod did not confirm the create of \(name) (\(reason)) and no pod of that name has appeared. \
                Nothing was retried, so you cannot be billed twice. If it appears later, `autopod list` records it \
                and shows it; otherwise run `autopod connect` again (it checks the account for \(name) first, and \
                frees the name if no such pod is there).
                """
        case .nameTaken(let name):
            return "a pod named \(name) already exists; pick another --name (names must be unique so a lost reply can be resolved)"
        case .interrupted:
            return "interrupted before any pod was created"
        case .unrecorded(let id, let name, let reason):
            return "pod \(name) (\(id)) was created and is billing, but autopod could not record it: \(reason.withoutFinalPeriod). "
                + "Fix that, then `autopod list` picks the pod up from your account; `autopod kill \(TerminalText.shellWord(id))` ends it."
        }
    }
}
