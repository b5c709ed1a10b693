import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `autopod cost --json`: dollars unrounded past a hundredth of a cent, so scripts can add
/// them up themselves.
enum CostReportJSON {
    static func json(_ report: CostReport) -> JSONValue {
        var rows: [JSONValue] = []
        for row in report.rows {
            var fields = amounts(row.costs, billed: row.billed, difference: row.difference)
            fields[report.grouping == .pod ? "name" : "day"] = .string(row.label)
            if let id = row.podId { fields["podId"] = .string(id) }
            rows.append(.object(fields))
        }
        return .object([
            "start": .string(ISO8601Timestamp.format(report.start, milliseconds: false)),
            "end": .string(ISO8601Timestamp.format(report.end, milliseconds: false)),
            "by": .string(report.grouping.rawValue),
            "reconciled": .bool(report.reconciled),
            "rows": .array(rows),
            "totals": .object(amounts(report.totals, billed: report.billedTotal, difference: report.difference)),
        ])
    }

    private static func amounts(_ costs: PodCost.Breakdown, billed: Double?, difference: Double?) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "compute": .number(PodJSON.rounded(costs.compute)),
            "storage": .number(PodJSON.rounded(costs.storage)),
            "total": .number(PodJSON.rounded(costs.total)),
        ]
        if let billed { fields["billed"] = .number(PodJSON.rounded(billed)) }
        if let difference { fields["difference"] = .number(PodJSON.rounded(difference)) }
        return fields
    }
}
