import AutopodCore
import AutopodSupport
import FoundationEssentials
import SSHKit

extension CommandContext {
    /// Pods' guards with this run's config: its defaults and where volumes are mounted.
    var podGuard: PodGuard {
        PodGuard(store: store, defaults: config.guardSettings, volumePath: config.volumeMountPath)
    }

    /// Puts the pod's guard (`settings`, else the one it has) in force over `session`, which
    /// autopod already holds, and says on stderr what the user should know: a stop the
    /// watchdog made since autopod last looked, or why the watchdog cannot run.
    @discardableResult
    func enforceGuard(_ settings: GuardSettings? = nil, on view: PodView, over session: SSHSession) -> WatchdogOutcome {
        let podGuard = podGuard
        let settings = settings ?? podGuard.settings(for: view.record)
        let outcome = podGuard.apply(settings, to: view, over: session)
        for line in GuardWords.notices(outcome, podName: view.record.name) {
            StandardStream.error.write(line + "\n")
        }
        return outcome
    }

    /// The laptop's half of the guard for `view` while a shell or tunnel runs; started, or nil
    /// when the guard sets no runtime limit or budget.
    func startLocalGuard(for view: PodView, say: @escaping @Sendable (String) -> Void) -> LocalGuard? {
        // The settings as recorded now: `connect` has just put its own in place.
        var current = view
        if let record = try? store.load().record(id: view.record.id) { current.record = record }
        let settings = podGuard.settings(for: current.record)
        let facts = GuardFacts.of(current, now: Date())
        let local = LocalGuard(settings: settings, facts: facts, view: current, manager: manager) { message, error in
            say(error == nil ? Style.warn(message) : Style.bad(message))
        }
        local?.start()
        return local
    }
}

/// What the guard tells the user, in one place.
enum GuardWords {
    static func notices(_ outcome: WatchdogOutcome, podName: String) -> [String] {
        var lines: [String] = []
        if let stop = outcome.lastStop {
            let verb = stop.action == .stop ? "stopped" : "terminated"
            lines.append(Style.warn("autopod's guard \(verb) \(podName) on \(Format.date(stop.at)): \(stop.reason)"))
        }
        switch outcome.state {
        case .started, .reloaded, .off: break
        case .noHTTPTool:
            lines.append(
                Style.warn(
                    "\(podName) has none of curl, python3 or wget, so its guard cannot run on the pod; autopod enforces the runtime "
                        + "limit and budget itself while `autopod shell` or `autopod tunnel` runs"))
        case .noPodKey:
            lines.append(Style.warn("\(podName) has no RUNPOD_POD_ID or RUNPOD_API_KEY, so its guard cannot act from the pod"))
        case .failed(let why):
            lines.append(Style.warn("could not start \(podName)'s guard on the pod: \(why)"))
        }
        return lines
    }

    /// "stop after idle 60 min" or "off", with "(not on the pod: ...)" when the watchdog is not running.
    static func inForce(_ settings: GuardSettings, _ outcome: WatchdogOutcome?) -> String {
        guard let outcome, !settings.isOff else { return settings.summary }
        switch outcome.state {
        case .started, .reloaded, .off: return settings.summary
        case .noHTTPTool: return settings.summary + Style.dim("  (runtime and budget enforced from this machine only)")
        case .noPodKey, .failed: return settings.summary + Style.warn("  (not running on the pod)")
        }
    }
}
