import Foundation
import FlyingFox
import AutopodSupport

/// A RunPod-compatible cloud on this machine: RunPod's GraphQL API at `POST /graphql`, its
/// REST API v2 under `/v2/` (over the same pods), the control API under `/_sim/`, and pods
/// backed by real processes.
///
/// `start` and `stop` block, so synchronous XCTest methods can use them from the main thread;
/// the HTTP server runs on Swift concurrency's own threads and never needs the caller's.
public final class RunPodSimulator: Sendable {
    /// "http://127.0.0.1:PORT"
    public let baseURL: String
    public let port: UInt16
    public let apiKey: String
    public let stateDirectory: String
    /// False when running without root (or with namespaces turned off): pods use loopback.
    public let usesNamespaces: Bool
    public var graphQLURL: String { baseURL + "/graphql" }
    /// REST v2's base: paths such as `/v2/pods` go after it, as after `https://api.runpod.io`.
    public var restBaseURL: String { baseURL }

    private let server: HTTPServer
    let cloud: SimCloud
    private let ownsStateDirectory: Bool
    private let stopped = LockedValue(false)

    /// Starts a simulator and returns once it accepts connections.
    public static func start(_ options: SimulatorOptions = SimulatorOptions()) throws -> RunPodSimulator {
        signal(SIGPIPE, SIG_IGN)
        let temp = FileManager.default.temporaryDirectory.path
        let removed = ResourceSweeper.sweepLeftovers(tempDirectory: temp)
        if !removed.isEmpty { options.log?("removed leftovers of dead simulators: \(removed.joined(separator: ", "))") }
        let stateDirectory: String
        let owns: Bool
        if let given = options.stateDirectory {
            stateDirectory = URL(fileURLWithPath: given).standardizedFileURL.path
            owns = false
        } else {
            stateDirectory = "\(temp)/\(ResourceNames.prefix)\(getpid())-state-\(RandomID.make(length: 8))"
            owns = true
        }
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let useNamespaces = options.useNamespaces && Shell.isRoot && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
        let cloud = SimCloud(
            apiKey: options.apiKey, bootDelay: options.bootDelay, stateDirectory: stateDirectory,
            useNamespaces: useNamespaces, clock: SimClock(scale: options.timeScale), log: options.log ?? { _ in })
        let graphQL = try RunPodGraphQL(cloud: cloud)
        let handler = SimulatorHTTPHandler(
            cloud: cloud, graphQL: graphQL, rest: RESTAPI(cloud: cloud), control: ControlAPI(cloud: cloud))
        let server = HTTPServer(
            address: try .inet(ip4: options.host, port: options.port), timeout: 120, logger: .disabled, handler: handler)

        let listening = DispatchSemaphore(value: 0)
        let outcome = LockedValue<Result<UInt16, SimulatorError>>(.failure(.serverFailed("did not start")))
        Task {
            do {
                try await server.run()
            } catch {
                outcome.set(.failure(.serverFailed("\(error)")))
                listening.signal()
            }
        }
        Task {
            do {
                try await server.waitUntilListening(timeout: 30)
                if case .ip4(_, let port) = await server.listeningAddress {
                    outcome.set(.success(port))
                }
            } catch {
                outcome.set(.failure(.serverFailed("\(error)")))
            }
            listening.signal()
        }
        listening.wait()
        let port = try outcome.current.get()
        Sockets.setNoDelayOnListener(port: port)
        cloud.apiAddress.set(PodAPIRelay.Target(host: options.host, port: port))
        return RunPodSimulator(
            server: server, cloud: cloud, port: port, host: options.host, apiKey: options.apiKey,
            stateDirectory: stateDirectory, ownsStateDirectory: owns, usesNamespaces: useNamespaces)
    }

    private init(
        server: HTTPServer, cloud: SimCloud, port: UInt16, host: String, apiKey: String, stateDirectory: String,
        ownsStateDirectory: Bool, usesNamespaces: Bool
    ) {
        self.server = server
        self.cloud = cloud
        self.port = port
        self.baseURL = "http://\(host):\(port)"
        self.apiKey = apiKey
        self.stateDirectory = stateDirectory
        self.ownsStateDirectory = ownsStateDirectory
        self.usesNamespaces = usesNamespaces
    }

    /// Stops the server and every pod process, removes namespaces and (if it made it) the state
    /// directory. Safe to call twice.
    public func stop() {
        // Test and set in one step: two threads stopping at once must not both go on.
        let already = stopped.withLock { stopped in
            defer { stopped = true }
            return stopped
        }
        guard !already else { return }
        let done = DispatchSemaphore(value: 0)
        let server = self.server
        Task {
            await server.stop(timeout: 0.1)
            done.signal()
        }
        done.wait()
        cloud.shutdown()
        if ownsStateDirectory { try? FileManager.default.removeItem(atPath: stateDirectory) }
    }

    /// `start` for async callers (Swift Testing, async main): the blocking start runs on a
    /// plain dispatch thread, so it never holds one of the few cooperative threads it needs.
    public static func launch(_ options: SimulatorOptions = SimulatorOptions()) async throws -> RunPodSimulator {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try start(options) })
            }
        }
    }

    /// `stop` for async callers.
    public func shutdown() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.stop()
                continuation.resume()
            }
        }
    }

    deinit { stop() }
}
