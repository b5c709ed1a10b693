import AutopodSupport
import FoundationEssentials

/// The tunnel state files under `AUTOPOD_HOME/tunnels`: one `<pod-id>.json` per running tunnel
/// (and its `<pod-id>.log` when detached). A file whose process is gone is stale and removed.
public struct TunnelRegistry: Sendable {
    public let directory: URL

    public init(paths: AutopodPaths) {
        directory = paths.tunnels
    }

    public func stateFile(podID: String) -> URL { directory.appendingPathComponent("\(podID).json") }
    public func logFile(podID: String) -> URL { directory.appendingPathComponent("\(podID).log") }

    /// Held by the process that forwards to the pod for as long as it runs, so two tunnels
    /// started at the same moment cannot both pass the "already running" check. The kernel
    /// drops it when the process ends, however it ends; nil when another process holds it.
    public func claim(podID: String) throws -> FileLock? {
        try AutopodPaths.ensureDirectory(directory)
        return try FileLock.attempt(directory.appendingPathComponent("\(podID).lock"))
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

    /// Every tunnel whose process is alive; stale files are deleted on the way.
    public func running() -> [TunnelRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        var found: [TunnelRecord] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            let url = directory.appendingPathComponent(name)
            guard let record = Self.read(url) else { continue }
            if Self.isAlive(record.pid) {
                found.append(record)
            } else {
                try? FileManager.default.removeItem(at: url)
            }
        }
        return found
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
