extension PortForwarder {
    /// How much a forwarder lets the server send ahead of its local readers.
    ///
    /// Every forwarded channel has a receive window: how many bytes the server may send before
    /// it must wait for us. Across distance a channel moves at most its window per round trip
    /// (16 MiB carries ~1.3 Gbit/s at 100 ms), but whatever the local reader does not take stays
    /// in this process, so a window is also the memory a stalled reader can pin. Windows therefore
    /// start small and grow only while the reader keeps up (`ReceiveWindow`), and all channels
    /// together draw their growth from one budget (`ForwardBudget`).
    public struct Configuration: Sendable {
        /// The window a channel opens with; libssh2 keeps a channel's window at least this large
        /// (plus one read) whenever its reader takes data, whatever the budget says.
        public var initialWindow = 256 * 1024
        /// The largest window a channel grows to while its reader keeps up.
        public var maximumWindow = 16 * 1024 * 1024
        /// The bytes all channels together may have granted to the server and not yet handed to
        /// their local clients (received and buffered here, or still on the way); no window
        /// grows past it. Each channel's `initialWindow` comes on top.
        public var memoryBudget = 64 * 1024 * 1024

        public init() {}
    }
}
