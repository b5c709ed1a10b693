import AutopodSupport
import FoundationEssentials

/// The limits a pod's guard enforces. Each limit is off at zero.
///
/// - idle: no SSH session running anything, no forwarded connection carrying data, every GPU
///   below 5% and the CPU low, continuously for `idleLimit`;
/// - runtime: the pod has run `maxRuntime` since it last started, whatever it is doing;
/// - budget: the pod has cost `budget` dollars in all (running time at its price, and storage).
public struct GuardSettings: Sendable, Equatable {
    public var idleLimit: Duration
    public var maxRuntime: Duration
    /// Dollars.
    public var budget: Double
    public var action: GuardAction

    /// An hour of idling stops a pod; no runtime limit and no budget unless asked for.
    public static let defaults = GuardSettings(idleLimit: .seconds(3600), maxRuntime: .zero, budget: 0, action: .stop)
    public static let off = GuardSettings(idleLimit: .zero, maxRuntime: .zero, budget: 0, action: .stop)

    public init(idleLimit: Duration, maxRuntime: Duration, budget: Double, action: GuardAction) {
        self.idleLimit = idleLimit
        self.maxRuntime = maxRuntime
        self.budget = budget
        self.action = action
    }

    public var isOff: Bool { idleLimit <= .zero && maxRuntime <= .zero && budget <= 0 }

    /// The limits in force in the words the watchdog also uses: "idle 60 min", "runtime 8h",
    /// "budget $5.00".
    public var idleText: String { "idle " + Self.durationText(idleLimit) }
    public var runtimeText: String { "runtime " + Self.durationText(maxRuntime) }
    public var budgetText: String { "budget $" + budget.fixed(2) }

    /// The limits in force, "idle 60 min or runtime 8h".
    public var limitsText: String {
        var limits: [String] = []
        if idleLimit > .zero { limits.append(idleText) }
        if maxRuntime > .zero { limits.append(runtimeText) }
        if budget > 0 { limits.append(budgetText) }
        return limits.joined(separator: " or ")
    }

    /// "stop after idle 60 min, runtime 8h or budget $5.00", or "off".
    public var summary: String {
        var limits: [String] = []
        if idleLimit > .zero { limits.append(idleText) }
        if maxRuntime > .zero { limits.append(runtimeText) }
        if budget > 0 { limits.append(budgetText) }
        guard let last = limits.popLast() else { return "off" }
        return "\(action) after " + (limits.isEmpty ? last : limits.joined(separator: ", ") + " or " + last)
    }

    /// "45 s", "60 min", "90 min", "2h", "2h 10m": minutes up to two hours, then hours.
    public static func durationText(_ duration: Duration) -> String {
        let seconds = Int(duration.seconds.rounded())
        if seconds < 60 { return "\(seconds) s" }
        if seconds < 7200 { return "\(seconds / 60) min" }
        let hours = seconds / 3600
        let minutes = seconds % 3600 / 60
        return minutes == 0 ? "\(hours)h" : "\(hours)h \(minutes)m"
    }
}

extension GuardSettings: Encodable {
    private enum CodingKeys: String, CodingKey {
        case idleSeconds, maxRuntimeSeconds, budget, action
    }

    /// As `pods.json` keeps it: whole seconds, dollars, and the action's name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Int(idleLimit.seconds.rounded()), forKey: .idleSeconds)
        try container.encode(Int(maxRuntime.seconds.rounded()), forKey: .maxRuntimeSeconds)
        try container.encode(budget, forKey: .budget)
        try container.encode(action.rawValue, forKey: .action)
    }
}

/// Changes to a guard from the command line (`connect --idle-stop 30m`, `autopod guard POD
/// --budget 5`); nil leaves a setting as it is.
public struct GuardOverrides: Sendable, Equatable {
    public var idleLimit: Duration?
    public var maxRuntime: Duration?
    public var budget: Double?
    public var action: GuardAction?

    public init(idleLimit: Duration? = nil, maxRuntime: Duration? = nil, budget: Double? = nil, action: GuardAction? = nil) {
        self.idleLimit = idleLimit
        self.maxRuntime = maxRuntime
        self.budget = budget
        self.action = action
    }

    public var isEmpty: Bool { idleLimit == nil && maxRuntime == nil && budget == nil && action == nil }

    public func applied(to settings: GuardSettings) -> GuardSettings {
        var result = settings
        if let idleLimit { result.idleLimit = idleLimit }
        if let maxRuntime { result.maxRuntime = maxRuntime }
        if let budget { result.budget = budget }
        if let action { result.action = action }
        return result
    }
}

/// Limits as people type them: `60m`, `8h`, `1h30m`, `90s`, plain seconds, or `0`/`off`.
public enum GuardLimitText {
    /// A duration, `.zero` for "off"; nil when the text is neither.
    public static func duration(_ text: String) -> Duration? {
        let trimmed = text.trimmingSpaces().lowercased()
        if trimmed == "0" || trimmed == "off" || trimmed == "none" { return .zero }
        if trimmed.hasSuffix("d"), let days = Double(trimmed.dropLast()), days > 0 {
            return .milliseconds(Int64((days * 86_400_000).rounded()))
        }
        guard let seconds = WaitDuration.parse(trimmed) else { return nil }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Dollars, `0` for "off"; a leading `$` is allowed. nil when the text is not an amount.
    public static func dollars(_ text: String) -> Double? {
        var trimmed = text.trimmingSpaces().lowercased()
        if trimmed == "off" || trimmed == "none" { return 0 }
        if trimmed.hasPrefix("$") { trimmed.removeFirst() }
        guard let value = Double(trimmed), value.isFinite, value >= 0 else { return nil }
        return value
    }

    /// How a duration is written back into config.json: `60m`, `8h`, `90s`, `0`.
    public static func format(_ duration: Duration) -> String {
        let seconds = Int(duration.seconds.rounded())
        if seconds == 0 { return "0" }
        if seconds % 3600 == 0 && seconds >= 7200 { return "\(seconds / 3600)h" }
        if seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
