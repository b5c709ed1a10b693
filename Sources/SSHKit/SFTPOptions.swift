/// Tunables for an SFTP client.
public struct SFTPOptions: Sendable {
    /// Channels a transfer may use at once: uploads need several, because each channel is
    /// limited by the server's 2 MiB window; OpenSSH allows 10 sessions per connection.
    public var channels = 4
    /// Whether all `channels` start opening with the first, for work known to use them (a
    /// tree, several files): they are ready round trips sooner than if opened when it starts.
    public var openAllChannelsAtStart = false
    /// The receive window of each channel: how much a download keeps in flight per channel.
    public var channelWindow: UInt32 = 16 * 1024 * 1024
    public var probeAfterIdle: Duration = .seconds(3)
    public var probeReplyTimeout: Duration = .seconds(5)

    public init() {}
}
