import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `autopod cost --json`: dollars unrounded past a hundredth of a cent, so scripts can add
/// them up themselves.
enum CostReportJSON {
    /// `volumes`: the account's network volumes now (nil when the API could not list them), which
    /// bill whether or not a pod uses them, as the text report's "now:" line says.
    static func json(_ report: CostReport, volumes: [NetworkVolume]?) -> JSONValue {
        var rows: [JSONValue] = []
        for row in report.rows {
            var fields = amounts(row.costs, billed: row.billed, difference: row.difference)
            fields[report.grouping == .pod ? "name" : "day"] = .string(row.label)
            if let id = row.podId { fields["podId"] = .string(id) }
            rows.append(.object(fields))
        }
        var fields: [String: JSONValue] = [
            "start": .string(ISO8601Timestamp.format(report.start, milliseconds: false)),
            "end": .string(ISO8601Timestamp.format(report.end, milliseconds: false)),
            "by": .string(report.grouping.rawValue),
            "reconciled": .bool(report.reconciled),
            "rows": .array(rows),
            "totals": .object(amounts(report.totals, billed: report.billedTotal, difference: report.difference)),
        ]
        if let volumes {
            fields["networkVolumes"] = .object([
                "count": .number(Double(volumes.count)),
                "sizeGB": .number(Double(volumes.reduce(0) { $0 + $1.sizeGB })),
                "monthly": .number(PodJSON.rounded(volumes.reduce(0) { $0 + $1.monthlyCost })),
            ])
        }
        return .object(fields)
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
