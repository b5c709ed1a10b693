import SSHKit

/// What one sync pass found and did.
public struct SyncResult: Sendable {
    public var changes: [SyncChange]
    public var unchanged: Int
    /// The copy of new and updated entries (nil for a dry run or nothing to copy).
    public var transfer: TransferResult?
    public var deleteFailures: [TransferFailure]
    public var notes: [String]
    public var seconds: Double
    public var dryRun: Bool
    public var interrupted: Bool

    public var failures: [TransferFailure] { (transfer?.failures ?? []) + deleteFailures }
    public var bytesTransferred: UInt64 { transfer?.report.bytesTransferred ?? 0 }
}
