import AutopodSupport
import FoundationEssentials
import Logging

/// The `connect` workflow: check what can be known up front, create the pod exactly once
/// (falling back through the GPU list, `PodLauncher`), wait until SSH answers
/// (`ReadinessWaiter`), and settle what happens to a pod that did not get there.
///
/// Whether a pod keeps billing is decided here, not by whoever shows the progress: at each
/// point where it could (Ctrl+C, a failed wait) the `decide` closure is asked, and when it has
/// no answer the rule applies:
/// - interrupted: terminate (nobody is there to say otherwise: SIGTERM, no terminal);
/// - not ready (timeout, stopped, unreachable, refused): terminate, unless `keepOnFailure`;
/// - gone from the account: nothing to decide, it is recorded as terminated;
/// - created but not recordable: terminate, without asking (a pod autopod cannot see would
///   bill unseen).
/// A terminate is repeated under `PodManager.terminateRetry`; when every attempt fails the
/// outcome says the pod still bills (`PodDisposition.stillBilling`).
public struct PodConnector: Sendable {
    public var launcher: PodLauncher
    public var manager: PodManager
    public var settings: ConnectSettings
    /// The SSH check for a created pod (it needs the pod for its pinned host key).
    public var probe: @Sendable (PodRecord) -> any SSHReadinessProbe
    /// Time between status queries while waiting; see `ReadinessWaiter.pollInterval`.
    public var pollInterval: Duration = .milliseconds(500)
    private let logger = Logger(label: "autopod.connect")

    public init(
        provider: any CloudProvider, store: PodStateStore, settings: ConnectSettings,
        probe: @escaping @Sendable (PodRecord) -> any SSHReadinessProbe
    ) {
        launcher = PodLauncher(provider: provider, store: store)
        manager = PodManager(provider: provider, store: store)
        self.settings = settings
        self.probe = probe
    }

    /// Refuses a connect that is known to fail at its end, before anything is asked of the
    /// cloud. Cheap, so the command calls it first; `connect` calls it again.
    public static func preflight(_ settings: ConnectSettings) throws(ConnectRefusal) {
        if settings.opensShell && !settings.hasTerminal { throw .shellNeedsTerminal }
    }

    /// Resolves the GPU names and reads stock and prices; creates nothing.
    public func plan(_ options: LaunchOptions) throws -> LaunchPlan {
        try launcher.plan(options)
    }

    /// The answer that applies when `decide` gives none.
    public func rule(for question: ConnectQuestion) -> ConnectChoice {
        switch question {
        case .interrupted: return .terminate
        case .notReady: return settings.keepOnFailure ? .keep : .terminate
        }
    }

    /// Runs the workflow. Throws `ConnectRefusal` or `LaunchError` when no pod was created;
    /// once one exists, every way out is an outcome that says what became of it.
    /// `cancelled` is polled before each create and throughout the wait.
    public func connect(
        _ plan: LaunchPlan, events: (ConnectEvent) -> Void, decide: (ConnectQuestion) -> ConnectChoice?,
        cancelled: () -> Bool
    ) throws -> ConnectOutcome {
        try Self.preflight(settings)
        let record: PodRecord
        do {
            record = try launcher.launch(plan, events: { events(.launch($0)) }, cancelled: cancelled)
        } catch LaunchError.unrecorded(let id, let name, let reason) {
            events(.terminating(name: name, id: id))
            do {
                try manager.terminateConfirmed(id: id)
                return .unrecorded(id: id, name: name, reason: reason, .terminated)
            } catch {
                return .unrecorded(id: id, name: name, reason: reason, .stillBilling(error))
            }
        }
        // Ctrl+C while the create was in flight: the pod exists now, and is dealt with.
        if cancelled() { return .interrupted(record, settle(record, .interrupted(record), events, decide)) }

        let waiter = {
            var waiter = ReadinessWaiter(provider: launcher.provider, probe: probe(record))
            waiter.pollInterval = pollInterval
            return waiter
        }()
        let endpoint: PodEndpoint
        do {
            endpoint = try waiter.wait(
                podId: record.id, timeout: settings.waitTimeout,
                progress: { phase, elapsed in events(.waiting(name: record.name, phase: phase, elapsed: elapsed)) }, cancelled: cancelled)
            events(.waitEnded)
        } catch .interrupted {
            events(.waitEnded)
            return .interrupted(record, settle(record, .interrupted(record), events, decide))
        } catch .gone {
            events(.waitEnded)
            // Terminated from elsewhere: nothing bills, there is nothing to ask.
            _ = try? manager.recordTerminated(id: record.id)
            return .notReady(record, .gone, .gone)
        } catch {
            events(.waitEnded)
            logger.info("pod not ready", metadata: ["id": "\(record.id)", "error": "\(error)"])
            return .notReady(record, error, settle(record, .notReady(record, error), events, decide))
        }
        try manager.recordEndpoint(endpoint, for: record.id)
        var ready = record
        ready.endpoint = endpoint
        ready.lastStatus = "RUNNING"
        return .ready(ready, endpoint)
    }

    /// Asks, applies the rule when there is no answer, and carries the choice out.
    private func settle(
        _ record: PodRecord, _ question: ConnectQuestion, _ events: (ConnectEvent) -> Void,
        _ decide: (ConnectQuestion) -> ConnectChoice?
    ) -> PodDisposition {
        let choice = decide(question) ?? rule(for: question)
        logger.info("settling a pod that is not ready", metadata: ["id": "\(record.id)", "choice": "\(choice)"])
        guard choice == .terminate else { return .kept }
        events(.terminating(name: record.name, id: record.id))
        do {
            try manager.terminateConfirmed(id: record.id)
        } catch {
            return .stillBilling(error)
        }
        do {
            try manager.recordTerminated(id: record.id)
        } catch {
            // The pod is gone; `list` marks it terminated when it next reads the account.
            logger.warning("terminated pod not recorded", metadata: ["id": "\(record.id)", "error": "\(error)"])
        }
        return .terminated
    }
}
