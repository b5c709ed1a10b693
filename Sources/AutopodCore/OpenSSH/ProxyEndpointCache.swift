import AutopodSupport
import FoundationEssentials

/// Where `autopod proxy` last found each pod, kept for a few seconds: an editor opens several
/// SSH connections at once (and reconnects in storms), and each would otherwise ask RunPod.
/// One small file per pod under AUTOPOD_HOME, stamped with the boot-time clock (monotonic and
/// shared by every process, so the age is right across processes and no clock change moves it).
/// `stop`, `start` and `kill` forget the pod, so a cached endpoint never outlives a restart
/// that autopod made.
public struct ProxyEndpointCache: Sendable {
    public let folder: URL
    /// How long an endpoint is used without asking RunPod again.
    public static let lifetime: Duration = .seconds(20)

    public init(paths: AutopodPaths) { folder = paths.proxyEndpoints }

    /// The pod's endpoint if one was stored less than `lifetime` ago.
    public func endpoint(podID: String) -> PodEndpoint? {
        guard PodID.isValid(podID), let data = FileManager.default.contents(atPath: file(podID)) else { return nil }
        let fields = String(decoding: data, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 3, let port = Int(fields[1]), let stamp = Int64(fields[2]) else { return nil }
        let age = Self.now() - stamp
        guard age >= 0, age < Int64(Self.lifetime.seconds * 1e9) else { return nil }
        return PodEndpoint(host: String(fields[0]), port: port)
    }

    public func store(_ endpoint: PodEndpoint, podID: String) {
        guard PodID.isValid(podID), !endpoint.host.contains(where: { $0 == " " || $0 == "\n" }) else { return }
        do {
            try AutopodPaths.ensureDirectory(folder)
            try PrivateFile.replace(file(podID), with: Array("\(endpoint.host) \(endpoint.port) \(Self.now())\n".utf8), mode: 0o600)
        } catch {
            // A cache that cannot be written costs an API call next time, nothing more.
        }
    }

    public func forget(podID: String) {
        guard PodID.isValid(podID) else { return }
        unlink(file(podID))
    }

    private func file(_ podID: String) -> String { folder.appendingPathComponent(podID).path }

    /// Nanoseconds on the boot-time clock.
    static func now() -> Int64 {
        var spec = timespec()
        #if os(Linux)
        clock_gettime(CLOCK_BOOTTIME, &spec)
        #else
        clock_gettime(CLOCK_MONOTONIC, &spec)
        #endif
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
