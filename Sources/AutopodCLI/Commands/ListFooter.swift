import AutopodCore
import AutopodSupport
import FoundationEssentials

/// The lines under `list`'s table beyond the running total: what stopped pods cost while they
/// wait, and how long the account's balance lasts.
enum ListFooter {
    /// "2 stopped · $0.67/day for their volumes while they wait", or nil when none is stopped.
    static func stoppedLine(_ views: [PodView]) -> String? {
        let stopped = views.filter { $0.status == .stopped }
        guard !stopped.isEmpty else { return nil }
        let perDay = stopped.reduce(0) { $0 + PodCost.stoppedPerDay($1.record) }
        return "\(stopped.count) stopped · \(Format.perDay(perDay)) for their storage while they wait"
    }

    /// "balance $98.20 · spending $0.790/hr · balance lasts about 124 h at this rate".
    static func balanceLine(_ spend: AccountSpend) -> String {
        var line = "balance \(Format.dollars(spend.balance)) · spending \(Format.perHour(spend.spendPerHour) == "—" ? "$0/hr" : Format.perHour(spend.spendPerHour))"
        if let hours = spend.hoursLeft {
            line += " · balance lasts about \(hoursText(hours)) at this rate"
        }
        if let limit = spend.spendLimit, limit > 0 { line += " · limit $\(limit.fixed(0))/hr" }
        return line
    }

    /// "124 h", "0.5 h", "more than 10000 h".
    static func hoursText(_ hours: Double) -> String {
        if hours >= 10_000 { return "more than 10000 h" }
        if hours < 10 { return "\(hours.fixed(1)) h" }
        return "\(Int(hours.rounded(.down))) h"
    }
}
