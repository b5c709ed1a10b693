/// Where a transfer stands, reported a few times a second while it runs.
public struct TransferProgress: Sendable {
    /// Bytes of file data done: sent, received, resumed or found complete.
    public var bytesDone: UInt64
    public var bytesTotal: UInt64
    /// Bytes actually sent or received (for the rate).
    public var bytesTransferred: UInt64
    public var filesDone: Int
    public var filesTotal: Int
    /// A file that just finished or is in progress.
    public var currentPath: String?
    /// Whether this is the last report (everything finished).
    public var finished: Bool
}
