import AutopodSupport
import FoundationEssentials

/// A watchdog's last check, as it writes it to `status` beside it: when (the pod's clock), how
/// long the pod has been idle, what kept it busy, how long it has run and what it has spent.
public struct GuardStatus: Sendable, Equatable {
    public var checkedAt: Date
    public var idle: Duration
    /// What made the pod count as in use at that check ("an SSH session is open", "GPU at 80%");
    /// empty when it was idle.
    public var busy: String
    public var runtime: Duration
    /// Dollars.
    public var spent: Double
    public var pid: Int

    public init(checkedAt: Date, idle: Duration, busy: String, runtime: Duration, spent: Double, pid: Int) {
        self.checkedAt = checkedAt
        self.idle = idle
        self.busy = busy
        self.runtime = runtime
        self.spent = spent
        self.pid = pid
    }

    /// Reads `checked=…` lines; nil when a field is missing (no check written yet).
    public init?(text: String) {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        guard let checked = fields["checked"].flatMap(Int.init), let idle = fields["idle"].flatMap(Int.init),
            let runtime = fields["runtime"].flatMap(Int.init), let spent = fields["spent"].flatMap(Int64.init)
        else { return nil }
        self.init(
            checkedAt: Date(timeIntervalSince1970: Double(checked)), idle: .seconds(idle), busy: fields["busy"] ?? "",
            runtime: .seconds(runtime), spent: Double(spent) / 1_000_000, pid: fields["pid"].flatMap(Int.init) ?? 0)
    }

    /// "idle 12 min of 60; runtime 2h 10m of 8h; $1.07 of $5.00": each limit in force beside
    /// how far the pod has got towards it.
    public func progress(towards settings: GuardSettings) -> String {
        var parts: [String] = []
        if settings.idleLimit > .zero {
            let limit = GuardSettings.durationText(settings.idleLimit)
            parts.append(busy.isEmpty ? "idle \(GuardSettings.durationText(idle)) of \(Self.shortLimit(limit))" : "in use (\(busy))")
        }
        if settings.maxRuntime > .zero {
            parts.append("runtime \(GuardSettings.durationText(runtime)) of \(GuardSettings.durationText(settings.maxRuntime))")
        }
        if settings.budget > 0 {
            parts.append("$\(spent.fixed(2)) of $\(settings.budget.fixed(2))")
        }
        return parts.joined(separator: "; ")
    }

    /// "60 min" → "60": the unit is said once, in the pod's idle time before it.
    private static func shortLimit(_ text: String) -> String {
        text.hasSuffix(" min") ? String(text.dropLast(4)) : text
    }
}
