import AutopodSupport
import Dispatch
import FoundationEssentials
import Logging

/// The laptop's half of a pod's guard: while `autopod shell` or `autopod tunnel` runs, autopod
/// itself stops (or terminates) the pod when its runtime limit or budget is reached, with the
/// user's key. A second line of defence for a pod whose watchdog cannot run (no curl, python3
/// or wget on it) or was killed; the idle limit needs the pod's view and is the watchdog's alone.
///
/// Time is kept on the monotonic clock that counts sleep: a laptop that slept through the limit
/// acts within `checkInterval` of waking.
public final class LocalGuard: Sendable {
    /// The first limit the pod will reach if it keeps running.
    public struct Limit: Sendable, Equatable {
        public var reason: String
        public var after: Duration
    }

    /// Runtime limit or budget, whichever comes first from `facts`; nil when neither is set.
    public static func firstLimit(_ settings: GuardSettings, _ facts: GuardFacts) -> Limit? {
        var limits: [Limit] = []
        if settings.maxRuntime > .zero {
            limits.append(Limit(reason: settings.runtimeText, after: max(.zero, settings.maxRuntime - facts.runtime)))
        }
        if settings.budget > 0 {
            let left = settings.budget - facts.spent
            if left <= 0 {
                limits.append(Limit(reason: settings.budgetText, after: .zero))
            } else if facts.ratePerHour > 0 {
                limits.append(Limit(reason: settings.budgetText, after: .milliseconds(Int64((left / facts.ratePerHour * 3_600_000).rounded(.up)))))
            }
        }
        return limits.min { $0.after < $1.after }
    }

    public let limit: Limit
    private let action: GuardAction
    private let view: PodView
    private let manager: PodManager
    private let checkInterval: Duration
    private let deadline: Deadline
    private let onAction: @Sendable (String, (any Error)?) -> Void
    private let state = LockedValue<(timer: (any DispatchSourceTimer)?, done: Bool)>((nil, false))
    private let logger = Logger(label: "autopod.guard.local")

    /// nil when the pod's guard sets no runtime limit or budget. `onAction` is called once, after
    /// the stop (or terminate) was asked for, with its error if it failed.
    public init?(
        settings: GuardSettings, facts: GuardFacts, view: PodView, manager: PodManager, checkInterval: Duration = .seconds(30),
        onAction: @escaping @Sendable (_ message: String, _ error: (any Error)?) -> Void
    ) {
        guard let limit = Self.firstLimit(settings, facts) else { return nil }
        self.limit = limit
        action = settings.action
        self.view = view
        self.manager = manager
        self.checkInterval = checkInterval
        deadline = Deadline.after(limit.after)
        self.onAction = onAction
    }

    public func start() {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        // A moment past the limit, so the first wake-up finds it passed.
        let first = min(limit.after + .milliseconds(500), checkInterval)
        timer.schedule(
            deadline: .now() + .milliseconds(Int(first.seconds * 1000)),
            repeating: .milliseconds(Int(checkInterval.seconds * 1000)))
        timer.setEventHandler { [self] in check() }
        state.withLock { $0.timer = timer }
        timer.resume()
    }

    public func cancel() {
        let timer = state.withLock { state -> (any DispatchSourceTimer)? in
            state.done = true
            defer { state.timer = nil }
            return state.timer
        }
        timer?.cancel()
    }

    private func check() {
        guard deadline.hasPassed else { return }
        let go = state.withLock { state -> Bool in
            guard !state.done else { return false }
            state.done = true
            return true
        }
        guard go else { return }
        cancel()
        let name = view.record.name
        logger.debug("local guard acting", metadata: ["pod": "\(view.record.id)", "reason": "\(limit.reason)", "action": "\(action)"])
        do {
            switch action {
            case .stop: _ = try manager.stop(view)
            case .terminate: _ = try manager.kill(id: view.record.id)
            }
            _ = try? manager.store.update { state in state.update(id: view.record.id) { $0.guardStop = limit.reason } }
            onAction(
                action == .stop
                    ? "autopod stopped \(name) (\(limit.reason)); its volume is kept, `autopod start \(name)` resumes it"
                    : "autopod terminated \(name) (\(limit.reason))", nil)
        } catch {
            onAction("autopod could not \(action) \(name) (\(limit.reason)): \(error). `autopod \(action == .stop ? "stop" : "kill") \(name)` ends the bill", error)
        }
    }
}
