/// The memory one forwarder may spend on data in transit toward its local clients, across all
/// its channels: window granted to the server and not yet used, plus bytes received and not
/// yet written to a local socket (queued in libssh2 or held by the forwarder). Counting the
/// granted window, not only what has arrived, is what makes it a bound: the server can never
/// send more than it was granted.
///
/// Recomputed by the forwarding loop on every pass (libssh2 answers each channel's window in
/// constant time) and kept up to date within the pass as windows are granted and data leaves.
struct ForwardBudget: Sendable, Equatable {
    let limit: Int
    /// Granted-and-unread plus held bytes, over every channel.
    var used = 0
    /// Channels sharing the budget.
    var channels = 0
    /// Window granted on trust to channels whose readers have not kept up yet.
    var unproven = 0

    init(limit: Int) {
        self.limit = limit
    }

    var free: Int { max(0, limit - used) }

    /// An equal split of the whole budget: what a channel may keep when the budget runs short.
    var fairShare: Int { limit / max(1, channels) }

    /// The share of the budget that may be granted on trust, before readers have shown anything.
    var trustLimit: Int { limit / 16 }

    /// The window a new channel starts with: `initial` while trusted windows have room (a
    /// transfer across distance then need not grow from the floor, one round trip per
    /// doubling), less as they fill up, and `floor` once they are spent, so that many clients
    /// that never read cannot take more than `trustLimit` beyond their floors between them.
    func startWindow(floor: Int, initial: Int) -> Int {
        let room = min(initial - floor, trustLimit - unproven, free)
        return room >= ReceiveWindow.minimumGrant ? floor + room : floor
    }
}
