import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `autopod cost` as a table: one line per pod or day, a total, and how it compares with
/// RunPod's billing records.
enum CostReportText {
    static func render(_ report: CostReport, unavailable problem: String?) -> String {
        let from = CivilTime(report.start, utcOffset: 0).dayStamp
        var lines = [Style.bold("Cost since \(from) (UTC), by \(report.grouping.rawValue)")]
        guard !report.rows.isEmpty else {
            lines.append("No pods in this time.")
            return lines.joined(separator: "\n")
        }
        var columns: [Table.Column] = [.init(report.grouping == .pod ? "POD" : "DAY")]
        if report.grouping == .pod { columns.append(.init("ID")) }
        columns += [.init("GPU", .right), .init("STORAGE", .right), .init("TOTAL", .right)]
        if report.reconciled { columns += [.init("RUNPOD", .right), .init("DIFF", .right)] }
        var table = Table(columns)
        for row in report.rows {
            var cells = [row.label]
            if report.grouping == .pod { cells.append(row.podId ?? "") }
            cells += [Format.dollars(row.costs.compute), Format.dollars(row.costs.storage), Format.dollars(row.costs.total)]
            if report.reconciled { cells += [Format.dollars(row.billed), signed(row.difference)] }
            table.add(cells)
        }
        var total = ["total"]
        if report.grouping == .pod { total.append("") }
        let totals = report.totals
        total += [Format.dollars(totals.compute), Format.dollars(totals.storage), Format.dollars(totals.total)]
        if report.reconciled { total += [Format.dollars(report.billedTotal), signed(report.difference)] }
        table.add(total)
        lines.append(table.render())
        if let difference = report.difference {
            let verdict = abs(difference) < 0.01 ? "agrees with RunPod's billing within a cent" : "differs from RunPod's billing by \(signed(difference))"
            lines.append(Style.dim("autopod's count \(verdict) (DIFF is RunPod's figure less autopod's)."))
        } else if let problem {
            lines.append(Style.dim("RunPod's billing records could not be read (\(problem)); these are autopod's own figures."))
        } else {
            lines.append(Style.dim("This API keeps no billing records (REST v2 does: `autopod config init --api rest`); these are autopod's own figures."))
        }
        return lines.joined(separator: "\n")
    }

    /// "+$0.0123", "-$1.20", "$0.00".
    static func signed(_ value: Double?) -> String {
        guard let value else { return "—" }
        if abs(value) < 0.00005 { return "$0.00" }
        return (value > 0 ? "+" : "-") + Format.dollars(abs(value))
    }
}
