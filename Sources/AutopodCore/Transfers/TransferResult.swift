import SSHKit

/// What a copy did.
public struct TransferResult: Sendable {
    public var direction: TransferDirection
    public var items: [TransferItem]
    public var report: TransferReport
    /// Sources that were not copied at all (missing, a directory without -r, no match).
    public var problems: [TransferFailure]
    public var seconds: Double
    public var reconnects: Int
    /// Ctrl+C: what was done stays, partial files stay for the next run.
    public var interrupted: Bool

    public var failures: [TransferFailure] { problems + report.failures }

    /// Bytes of every file in the plan.
    public var bytesTotal: UInt64 {
        items.reduce(0) { sum, item in
            if case .file = item.kind { return sum + item.size }
            return sum
        }
    }

    public func count(_ outcome: TransferReport.Outcome, files: Bool) -> Int {
        zip(items, report.outcomes).filter { item, result in
            guard result == outcome else { return false }
            if case .directory = item.kind { return !files }
            return files
        }.count
    }
}
