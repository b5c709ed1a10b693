import AutopodSupport
import AutopodCore
/// An aligned text table. Written by hand because it must measure coloured cells by their
/// visible width, which the mirrored table package does not.
struct Table {
    enum Alignment { case left, right }

    struct Column {
        let title: String
        let alignment: Alignment
        init(_ title: String, _ alignment: Alignment = .left) {
            self.title = title
            self.alignment = alignment
        }
    }

    let columns: [Column]
    var rows: [[String]] = []

    init(_ columns: [Column]) { self.columns = columns }

    /// Cells may hold Style's colours; any other control character is shown escaped, since
    /// cells carry names and text from RunPod.
    mutating func add(_ row: [String]) { rows.append(row.map(TerminalText.escapedKeepingStyle)) }

    func render() -> String {
        var widths = columns.map { Style.visibleWidth($0.title) }
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], Style.visibleWidth(cell))
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: max(0, widths[index] - Style.visibleWidth(cell)))
                let last = index == cells.count - 1
                switch columns[index].alignment {
                case .left: return last ? cell : cell + padding
                case .right: return padding + cell
                }
            }.joined(separator: "  ")
        }
        let header = Style.bold(line(columns.map(\.title)))
        return ([header] + rows.map(line)).joined(separator: "\n")
    }
}

/// A titled block of `label: value` lines for one thing, such as one pod.
struct Panel {
    let title: String
    var lines: [(String, String)] = []

    init(title: String) { self.title = TerminalText.escapedKeepingStyle(title) }

    /// Values may hold Style's colours; any other control character is shown escaped.
    mutating func add(_ label: String, _ value: String) { lines.append((label, TerminalText.escapedKeepingStyle(value))) }

    func render() -> String {
        let width = lines.map { $0.0.count }.max() ?? 0
        let body = lines.map { label, value in
            "  " + Style.dim(label + String(repeating: " ", count: max(0, width - label.count))) + "  " + value
        }
        return ([Style.bold(title)] + body).joined(separator: "\n")
    }
}
