import ArgumentParser
import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `connect --wait-for-stock [--max-wait 2h]`: when every preferred type is out of stock, watch
/// availability and create the pod the moment one can be placed.
struct StockOptions: ParsableArguments {
    @Flag(help: "When every preferred GPU type is out of stock, wait for one and create the pod as soon as it can be placed.")
    var waitForStock = false

    @Option(help: ArgumentHelp("How long --wait-for-stock waits before giving up, e.g. 30m, 2h.", valueName: "duration"))
    var maxWait = WaitDuration.minutes(120)

    /// Seconds between stock checks: gentle on RunPod's rate limits (tests make it short).
    @Option(help: .hidden)
    var stockInterval = WaitDuration(seconds: 30)

    func validate() throws {
        if stockInterval.duration < .milliseconds(100) { throw ValidationError("--stock-interval is too short") }
    }

    /// The plan once a preferred type has stock, with a live line meanwhile and a bell when it
    /// has; the plan as it is when a type has stock already.
    func waitForStock(_ plan: LaunchPlan, connector: PodConnector, deadline: Deadline, monitor: InterruptMonitor) throws -> LaunchPlan {
        let options = plan.options
        var current = plan
        if !current.candidates.contains(where: { !$0.type.isOutOfStock }) {
            let line = ProgressLine()
            let watcher = StockWatcher(interval: stockInterval.duration, maxWait: deadline.remaining)
            do {
                current = try watcher.wait(
                    for: { try connector.plan(options) }, deadline: deadline,
                    waiting: { types, elapsed in
                        let left = WaitDuration(seconds: deadline.remaining.seconds)
                        line.update(
                            "waiting for stock: \(types.joined(separator: ", ")) (\(options.gpuCount)×, \(options.cloud.rawValue)); "
                                + "checking every \(stockInterval), giving up in \(left)", elapsed: elapsed.seconds)
                    }, cancelled: { monitor.interrupted })
            } catch let failure as StockWatcher.Failure {
                line.finish()
                if case .interrupted = failure { throw CLIFailure(failure.description, exitStatus: 130) }
                throw CLIFailure(failure.description)
            }
            line.finish()
            if let ready = current.candidates.first(where: { !$0.type.isOutOfStock }) {
                // A bell: someone waiting for a GPU has usually looked away.
                let stock = ready.type.stock?.rawValue ?? "some"
                StandardStream.error.write("\u{7}" + Style.ok("✓") + " \(ready.type.displayName) has stock now (\(stock)); creating\n")
            }
        }
        return current
    }
}
