import AutopodSupport
import FoundationEssentials

/// `autopod cost`: what pods.json says the pods cost within a window, compute and storage
/// apart, grouped by pod or by day, beside what the cloud's own billing records say.
public struct CostReport: Sendable {
    public enum Grouping: String, Sendable, CaseIterable {
        case pod, day
    }

    /// One line of the report.
    public struct Row: Sendable, Equatable {
        /// The pod's name, or the day as YYYY-MM-DD (UTC).
        public var label: String
        /// The pod's id when grouped by pod.
        public var podId: String?
        public var costs: PodCost.Breakdown
        /// What the cloud charged for the same pod or day; nil without billing records.
        public var billed: Double?

        public init(label: String, podId: String? = nil, costs: PodCost.Breakdown, billed: Double? = nil) {
            self.label = label
            self.podId = podId
            self.costs = costs
            self.billed = billed
        }

        /// The cloud's figure less autopod's.
        public var difference: Double? { billed.map { $0 - costs.total } }
    }

    public var start: Date
    public var end: Date
    public var grouping: Grouping
    public var rows: [Row]
    /// Whether billing records were there to compare with.
    public var reconciled: Bool

    public var totals: PodCost.Breakdown { rows.reduce(PodCost.Breakdown()) { $0 + $1.costs } }
    public var billedTotal: Double? { reconciled ? rows.reduce(0) { $0 + ($1.billed ?? 0) } : nil }
    public var difference: Double? { billedTotal.map { $0 - totals.total } }

    /// Builds the report over [start, end) from `records`; `billing` (nil when the backend keeps
    /// none) is matched by pod id or by day. A pod the cloud billed that pods.json lacks gets a
    /// row of its own with no local cost, so the difference shows where it comes from.
    public init(records: [PodRecord], billing: [BillingRecord]?, from start: Date, to end: Date, by grouping: Grouping) {
        self.start = start
        self.end = end
        self.grouping = grouping
        reconciled = billing != nil
        let billing = billing ?? []
        var rows: [Row] = []
        switch grouping {
        case .pod:
            for record in records where PodCost.aliveSeconds(record, from: start, to: end, now: end) > 0 {
                let costs = PodCost.breakdown(record, from: start, to: end, now: end)
                let billed = reconciled ? billing.filter { $0.podId == record.id }.reduce(0) { $0 + $1.total } : nil
                rows.append(Row(label: record.name, podId: record.id, costs: costs, billed: billed))
            }
            let known = Set(records.map(\.id))
            var strangers: [String: Double] = [:]
            for item in billing where !known.contains(item.podId) { strangers[item.podId, default: 0] += item.total }
            for (id, billed) in strangers.sorted(by: { $0.key < $1.key }) {
                rows.append(Row(label: "(not in pods.json)", podId: id, costs: PodCost.Breakdown(), billed: billed))
            }
        case .day:
            var day = Self.dayStart(start)
            while day < end {
                let next = day.addingTimeInterval(86_400)
                let from = max(day, start)
                let to = min(next, end)
                let costs = records.reduce(PodCost.Breakdown()) { $0 + PodCost.breakdown($1, from: from, to: to, now: end) }
                let billed = reconciled ? billing.filter { $0.start >= day && $0.start < next }.reduce(0) { $0 + $1.total } : nil
                // Days with nothing to count stay out, as RunPod lists no record for them.
                if costs.total > 0 || (billed ?? 0) > 0 {
                    rows.append(Row(label: CivilTime(day, utcOffset: 0).dayStamp, costs: costs, billed: billed))
                }
                day = next
            }
        }
        self.rows = rows
    }

    /// Midnight UTC of `date`'s day.
    public static func dayStart(_ date: Date) -> Date {
        let seconds = date.timeIntervalSince1970
        return Date(timeIntervalSince1970: (seconds / 86_400).rounded(.down) * 86_400)
    }

    /// Midnight UTC on the first of `date`'s month.
    public static func monthStart(_ date: Date) -> Date {
        let civil = CivilTime(date, utcOffset: 0)
        let days = ISO8601Timestamp.daysSinceEpoch(year: civil.year, month: civil.month, day: 1)
        return Date(timeIntervalSince1970: Double(days) * 86_400)
    }
}
