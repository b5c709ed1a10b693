import AutopodSupport
import FoundationEssentials

/// What a running `autopod tunnel` publishes about itself in `AUTOPOD_HOME/tunnels/<pod-id>.json`,
/// refreshed every few seconds so `tunnel list` can show its health without talking to it.
public struct TunnelRecord: Codable, Sendable, Equatable {
    public struct Forward: Codable, Sendable, Equatable {
        public var localPort: Int
        public var remotePort: Int
        public var activeConnections = 0
        public var totalConnections = 0
        public var refusedConnections = 0
        /// Bytes from the pod to local clients.
        public var bytesIn: UInt64 = 0
        /// Bytes from local clients to the pod.
        public var bytesOut: UInt64 = 0

        public init(localPort: Int, remotePort: Int) {
            self.localPort = localPort
            self.remotePort = remotePort
        }
    }

    public var podID: String
    public var podName: String
    public var pid: Int32
    public var detached: Bool
    public var startedAt: Date
    public var updatedAt: Date
    /// connecting, up, reconnecting, waiting, stopped.
    public var state: String
    /// Why it is not up (the last error), if it is not.
    public var detail: String?
    public var reconnects: Int
    public var forwards: [Forward]
    public var logPath: String?
    /// What the tunnel said when it started about ports it moved or left out.
    public var notes: [String]?

    public init(podID: String, podName: String, pid: Int32, detached: Bool, forwards: [Forward], logPath: String?, now: Date = Date()) {
        self.podID = podID
        self.podName = podName
        self.pid = pid
        self.detached = detached
        self.startedAt = now
        self.updatedAt = now
        self.state = "connecting"
        self.detail = nil
        self.reconnects = 0
        self.forwards = forwards
        self.logPath = logPath
    }

    /// "8888, 6006→6007": local ports, with the remote port where it differs.
    public var portsText: String {
        forwards.map { $0.localPort == $0.remotePort ? "\($0.localPort)" : "\($0.localPort)→\($0.remotePort)" }
            .joined(separator: ", ")
    }
}
