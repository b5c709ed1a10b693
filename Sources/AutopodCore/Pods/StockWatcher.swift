import AutopodSupport
import FoundationEssentials
import Logging

/// Waits for capacity: re-reads stock for the preferred types, gently (one GPU-types call per
/// `interval`, well within RunPod's rate limits), until one of them can be placed or `maxWait`
/// has passed. It creates nothing itself; `connect` then launches the plan it returns.
public struct StockWatcher: Sendable {
    public var interval: Duration
    public var maxWait: Duration
    private let logger = Logger(label: "autopod.stock")

    public init(interval: Duration = .seconds(30), maxWait: Duration = .seconds(7200)) {
        self.interval = interval
        self.maxWait = maxWait
    }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case gaveUp(waited: Duration, types: [String])
        case interrupted

        public var description: String {
            switch self {
            case .gaveUp(let waited, let types):
                return "no stock for \(types.joined(separator: ", ")) within \(WaitDuration(seconds: waited.seconds)); "
                    + "nothing was created. Try more types, another cloud, or a longer --max-wait."
            case .interrupted:
                return "interrupted while waiting for stock; nothing was created"
            }
        }
    }

    /// A plan whose first type in stock can be tried now. `plan` re-reads stock (it is the
    /// launcher's); `waiting` gets what is waited for and how long so far, on every check.
    public func wait(
        for plan: () throws -> LaunchPlan, deadline: Deadline, waiting: (_ types: [String], _ elapsed: Duration) -> Void,
        cancelled: () -> Bool
    ) throws -> LaunchPlan {
        let started = ContinuousClock.now
        while true {
            var current: LaunchPlan?
            do {
                current = try plan()
            } catch ProviderError.transient(let message, _) {
                // A passing failure of one check is no reason to stop watching.
                logger.info("stock check failed; watching on", metadata: ["error": "\(message)"])
            }
            if let current, current.candidates.contains(where: { !$0.type.isOutOfStock }) {
                logger.info("stock appeared", metadata: ["after": "\(started.elapsed.seconds) s"])
                return current
            }
            let types = current?.candidates.map(\.type.displayName) ?? []
            waiting(types, started.elapsed)
            guard !deadline.hasPassed else { throw Failure.gaveUp(waited: started.elapsed, types: types) }
            let next = Deadline.after(min(interval, deadline.remaining))
            while !next.hasPassed {
                if cancelled() { throw Failure.interrupted }
                Sleep.for(min(.milliseconds(200), next.remaining))
            }
        }
    }
}
