import AutopodSupport
import FoundationEssentials

/// The tunnel state files under `AUTOPOD_HOME/tunnels`: one `<pod-id>.json` per running tunnel
/// (and its `<pod-id>.log` when detached). A file whose process is gone is stale and removed.
public struct TunnelRegistry: Sendable {
    public let directory: URL

    public init(paths: AutopodPaths) {
        directory = paths.tunnels
    }

    public func stateFile(podID: String) -> URL { directory.appendingPathComponent("\(Self.fileStem(podID)).json") }
    public func logFile(podID: String) -> URL { directory.appendingPathComponent("\(Self.fileStem(podID)).log") }
    func lockFile(podID: String) -> URL { directory.appendingPathComponent("\(Self.fileStem(podID)).lock") }

    /// File names come only from ids shaped like RunPod's (see `PodID`); anything else (an
    /// id remembered from before ids were checked) is spelled in hex, so no id can name a
    /// path outside this folder.
    static func fileStem(_ podID: String) -> String {
        if PodID.isValid(podID) { return podID }
        return "id-" + podID.utf8.prefix(64).map { String($0, radix: 16) }.joined()
    }

    /// Held by the process that forwards to the pod for as long as it runs, so two tunnels
    /// started at the same moment cannot both pass the "already running" check. The kernel
    /// drops it when the process ends, however it ends; nil when another process holds it.
    public func claim(podID: String) throws -> FileLock? {
        try AutopodPaths.ensureDirectory(directory)
        return try FileLock.attempt(lockFile(podID: podID))
    }

    public func write(_ record: TunnelRecord) throws {
        try AutopodPaths.ensureDirectory(directory)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(record), to: stateFile(podID: record.podID))
    }

    /// Removes the state file, but only if it still belongs to `pid` (a newer tunnel may own it).
    public func remove(podID: String, pid: Int32) {
        let url = stateFile(podID: podID)
        guard let record = Self.read(url), record.pid == pid else { return }
        try? FileManager.default.removeItem(at: url)
    }

    /// Every tunnel whose lock is held, with the pid of the process that holds it (never the
    /// pid a state file claims); state files without a live lock are stale and deleted.
    public func running() -> [TunnelRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var found: [TunnelRecord] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let url = directory.appendingPathComponent(name)
            guard var record = Self.read(url) else { continue }
            guard url.lastPathComponent == stateFile(podID: record.podID).lastPathComponent,
                case .process(let holder) = TunnelLock.holder(of: lockFile(podID: record.podID))
            else {
                try? FileManager.default.removeItem(at: url)
                continue
            }
            if let holder { record.pid = holder }
            found.append(record)
        }
        return found
    }

    /// Whether the pod's tunnel lock is still held (the tunnel has not exited).
    public func isHeld(podID: String) -> Bool {
        TunnelLock.holder(of: lockFile(podID: podID)) != .none
    }

    public func running(podID: String) -> TunnelRecord? {
        running().first { $0.podID == podID }
    }

    static func read(_ url: URL) -> TunnelRecord? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try? decoder.decode(TunnelRecord.self, from: data)
    }

    /// Whether `pid` is a live process that is not a zombie.
    public static func isAlive(_ pid: Int32) -> Bool { Posix.isProcessAlive(pid) }
}
