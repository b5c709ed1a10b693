import AutopodSupport
import FoundationEssentials

/// A change asked of a running tunnel by another autopod process (`tunnel POD 6006` while the
/// pod's tunnel runs, `tunnel stop POD 6006`): written to `<pod-id>.request.json`, announced
/// with SIGUSR1, answered in `<pod-id>.reply.json` under the same `id`.
public struct TunnelRequest: Codable, Sendable, Equatable {
    public struct Add: Codable, Sendable, Equatable {
        public var localPort: Int
        public var remotePort: Int
        /// A configured forward, which may move to the next free port when its own is taken.
        public var flexible: Bool

        public init(localPort: Int, remotePort: Int, flexible: Bool) {
            self.localPort = localPort
            self.remotePort = remotePort
            self.flexible = flexible
        }
    }

    public var id: String
    public var add: [Add]
    /// Local ports to stop forwarding.
    public var remove: [Int]

    public init(id: String = TunnelRequest.newID(), add: [Add] = [], remove: [Int] = []) {
        self.id = id
        self.add = add
        self.remove = remove
    }

    public static func newID() -> String {
        (0..<4).map { _ in String(UInt32.random(in: .min ... .max), radix: 16) }.joined()
    }
}

/// What the tunnel did with a `TunnelRequest`.
public struct TunnelReply: Codable, Sendable, Equatable {
    public var id: String
    /// What was done, one line each (ports added or removed, ports that moved).
    public var done: [String]
    /// What could not be done.
    public var errors: [String]

    public init(id: String, done: [String] = [], errors: [String] = []) {
        self.id = id
        self.done = done
        self.errors = errors
    }
}

extension TunnelRegistry {
    public func requestFile(podID: String) -> URL { directory.appendingPathComponent("\(Self.fileStem(podID)).request.json") }
    public func replyFile(podID: String) -> URL { directory.appendingPathComponent("\(Self.fileStem(podID)).reply.json") }
    /// Held by the process asking for a change, so two changes never share the request file.
    public func controlLockFile(podID: String) -> URL { directory.appendingPathComponent("\(Self.fileStem(podID)).control.lock") }

    public func writeJSON(_ value: some Encodable, to url: URL) throws {
        try AutopodPaths.ensureDirectory(directory)
        try AtomicFile.write(try JSONEncoder().encode(value), to: url)
    }

    public func readJSON<T: Decodable>(_ type: T.Type, from url: URL) -> T? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }
}
