/// One difference a sync acts on (or, with --dry-run, would).
public struct SyncChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case new
        case updated
        case deleted
    }

    public let kind: Kind
    /// Relative to the synced directories.
    public let path: String
    public let isDirectory: Bool
    public let size: UInt64
}
