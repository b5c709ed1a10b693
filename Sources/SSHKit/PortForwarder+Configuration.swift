extension PortForwarder {
    /// A forwarder's tunables, fixed when it is made (as `SSHSessionOptions` are for a session),
    /// so no thread can change them under a running tunnel.
    public struct Configuration: Sendable {
        /// Channel window for forwarded connections; size it for the bandwidth-delay product
        /// (16 MiB carries ~1.3 Gbit/s at 100 ms RTT).
        public var window: UInt32 = 16 * 1024 * 1024
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
