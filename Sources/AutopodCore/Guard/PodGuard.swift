import AutopodSupport
import FoundationEssentials
import Logging
import SSHKit

/// A pod's guard as autopod keeps it: which limits apply to a pod (`pods.json`, else the
/// config's defaults), putting them in force on the pod over an SSH session autopod already
/// has, and reading the watchdog's last check back.
public struct PodGuard: Sendable {
    public var store: PodStateStore
    /// What applies to a pod autopod reaches for the first time (the config's guard).
    public var defaults: GuardSettings
    /// Where pods' volumes are mounted (the config's `volumeMountPath`).
    public var volumePath: String
    public var now: @Sendable () -> Date = { Date() }
    private let logger = Logger(label: "autopod.guard")

    public init(store: PodStateStore, defaults: GuardSettings, volumePath: String) {
        self.store = store
        self.defaults = defaults
        self.volumePath = volumePath
    }

    /// The guard in force for `record`.
    public func settings(for record: PodRecord) -> GuardSettings {
        record.guardSettings ?? defaults
    }

    /// Installs, updates or switches off the pod's watchdog over `session`, and records
    /// `settings` as the pod's guard. A problem on the pod (no curl, no volume) is in the
    /// outcome, never thrown: the user's command goes on either way.
    @discardableResult
    public func apply(_ settings: GuardSettings, to view: PodView, over session: SSHSession) -> WatchdogOutcome {
        let installer = WatchdogInstaller(settings: settings, facts: GuardFacts.of(view, now: now()), volumePath: volumePath)
        var outcome: WatchdogOutcome
        do {
            let (exit, output) = try session.capture(installer.command)
            outcome = WatchdogInstaller.outcome(of: output)
            if case .failed = outcome.state, exit != .status(0) {
                outcome.state = .failed("the install command ended with \(exit)")
            }
        } catch {
            outcome = WatchdogOutcome(state: .failed(error.description), lastStop: nil)
        }
        logger.debug(
            "guard put on the pod", metadata: ["pod": "\(view.record.id)", "settings": "\(settings.summary)", "outcome": "\(outcome.state)"])
        if outcome.isRunning || outcome.state == .off || outcome.state == .noHTTPTool {
            let id = view.record.id
            _ = try? store.update { state in state.update(id: id) { $0.guardSettings = settings } }
        }
        return outcome
    }

    /// The watchdog's last check, read over `session`; nil when it has written none.
    public func status(over session: SSHSession) -> GuardStatus? {
        guard let (_, output) = try? session.capture(WatchdogInstaller.statusCommand(volumePath: volumePath)) else { return nil }
        return GuardStatus(text: output)
    }
}
