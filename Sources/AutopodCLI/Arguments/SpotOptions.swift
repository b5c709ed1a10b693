import ArgumentParser
import AutopodCore
import AutopodSupport

/// Spot (interruptible) pods: about half the price, but RunPod may take the pod back whenever
/// someone bids more.
struct SpotOptions: ParsableArguments {
    @Flag(help: "Rent a spot pod: cheaper, but RunPod may take it back at any moment (\"outbid\").")
    var spot = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Spot bid in dollars per GPU per hour (default: the current minimum bid plus 10%). Implies --spot.",
            valueName: "dollars"))
    var bid: Double?

    func validate() throws {
        if let bid, !(bid > 0 && bid < 1000) {
            throw ValidationError("--bid takes dollars per GPU per hour, more than 0, such as 0.25; not \(bid)")
        }
    }

    /// The bid to make, or nil for an on-demand pod.
    var request: SpotBid? {
        guard spot || bid != nil else { return nil }
        return SpotBid(fixed: bid)
    }
}
