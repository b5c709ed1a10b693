extension PortForwarder {
    /// A forwarder's tunables, fixed when it is made (as `SSHSessionOptions` are for a session),
    /// so no thread can change them under a running tunnel.
    ///
    /// Windows: every forwarded channel has a receive window, how many bytes the server may send
    /// before it must wait for us. Across distance a channel moves at most its window per round
    /// trip (16 MiB carries ~1.3 Gbit/s at 100 ms), but whatever the local reader does not take
    /// stays in this process, so a window is also the memory a stalled reader can pin. Windows
    /// therefore grow only while the reader keeps up (`ReceiveWindow`), and all channels together
    /// draw from one budget (`ForwardBudget`).
    public struct Configuration: Sendable {
        /// The least window of a channel: what it is opened with, and what libssh2 itself
        /// restores (plus one read) whenever the reader takes data, whatever the budget says.
        public var minimumWindow = 256 * 1024
        /// The window a new channel starts with, before its reader has shown anything, while
        /// such unearned windows together stay within a sixteenth of the budget; past that, new
        /// channels start at `minimumWindow`. OpenSSH's fixed window is this size.
        public var initialWindow = 2 * 1024 * 1024
        /// The largest window a channel grows to while its reader keeps up.
        public var maximumWindow = 16 * 1024 * 1024
        /// The bytes all channels together may have granted to the server and not yet handed to
        /// their local clients (received and buffered here, or still on the way): no window grows
        /// while they add up to this. Each channel's `minimumWindow` counts too, but is kept even
        /// when the budget is spent, so that every connection keeps moving.
        public var memoryBudget = 64 * 1024 * 1024
        /// How long a client accepted while there is no session may wait for one before it is
        /// closed.
        public var waitForSessionTimeout: Duration = .seconds(10)
        /// Silence from the server before a liveness probe is sent, and how long its answer may
        /// take before the session is declared dead (see `LivenessProbe`).
        public var probeAfterIdle: Duration = .seconds(3)
        public var probeReplyTimeout: Duration = .seconds(5)
        /// The first wait before reconnecting, doubled after each failed attempt up to
        /// `maxBackoff` (each wait is varied by ±20% so many tunnels do not retry in step).
        public var initialBackoff: Duration = .seconds(1)
        public var maxBackoff: Duration = .seconds(30)

        public init() {}
    }
}
