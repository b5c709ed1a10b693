import SSHKit

/// `autopod sync SRC DST`: one side a local directory, the other a pod directory.
public struct SyncRequest: Sendable {
    public var source: TransferEndpoint
    public var destination: TransferEndpoint
    /// Remove what the destination has and the source does not (excluded paths are kept).
    public var delete: Bool
    /// Compare contents (SHA-256 on each side) instead of size and modification time.
    public var checksum: Bool
    public var excludes: [String]
    /// Read `.gitignore` and `.autopodignore` in the local tree (uploads only).
    public var useIgnoreFiles: Bool
    public var dryRun: Bool

    public init(
        source: TransferEndpoint, destination: TransferEndpoint, delete: Bool = false, checksum: Bool = false,
        excludes: [String] = [], useIgnoreFiles: Bool = true, dryRun: Bool = false
    ) {
        self.source = source
        self.destination = destination
        self.delete = delete
        self.checksum = checksum
        self.excludes = excludes
        self.useIgnoreFiles = useIgnoreFiles
        self.dryRun = dryRun
    }

    public var direction: TransferDirection { destination.isPod ? .upload : .download }
}
