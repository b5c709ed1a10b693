/// How `SFTPClient.transfer` copies.
public struct TransferOptions: Sendable {
    /// Keep modification and access times (modes are always kept, as scp does for new files).
    public var preserveTimes = true
    /// Leave a destination alone when it already is the file: same size, same modification
    /// time when times are kept, and the same bytes at its end (`tailLength`). `cp` reruns
    /// rely on it; `sync` decides itself and turns it off.
    public var skipComplete = true
    /// Continue a partial file from where its verified part ends instead of starting over.
    public var resume = true
    /// Bytes compared at the end of a complete file or before a resume point (SHA-256 of each side).
    public var tailLength = 1024 * 1024
    /// Files in progress at once at most (each holds a handle on the server); `SFTPTransfer`
    /// keeps it to `SFTPTransfer.filesPerChannel` per channel and to what the server and
    /// the local descriptor limit allow.
    public var maxOpenFiles = 4096
    /// Files at least this big are spread over every channel (see `SFTPTransfer`).
    public var stripeThreshold: UInt64 = 8 * 1024 * 1024
    /// Downloads are spread only across a round trip at least this long: one channel keeps
    /// `SFTPTransfer.laneLimit` bytes in flight, plenty on a short one, where more channels
    /// only cost CPU (a 256 MiB download on loopback took 1.05 s over four, 0.89 s over one).
    /// Uploads are always spread: the server's window is 2 MiB per channel.
    public var stripeDownloadsFrom: Duration = .milliseconds(10)

    public init() {}
}
