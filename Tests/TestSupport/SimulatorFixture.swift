import AutopodSupport
import Foundation

/// Runs the built `runpod-sim` executable as a subprocess, as end-to-end tests of the autopod
/// CLI need it. It reads the first stdout line (`runpod-sim listening on URL`) and offers a
/// `SimulatorClient` for GraphQL and control calls. The simulator's stderr is kept as `log`.
public final class SimulatorFixture: Sendable {
    private let running: RunningProcess
    public let baseURL: String
    public let apiKey: String
    public let client: SimulatorClient
    public var pid: Int32 { running.process.pid }
    public var graphQLURL: String { baseURL + "/graphql" }

    /// Starts `runpod-sim --port 0 --api-key KEY --boot-delay D [--state-dir DIR] extra...`.
    public init(
        apiKey: String = "rpsim-fixture-key", bootDelay: Double = 0.5, stateDirectory: String? = nil,
        extraArguments: [String] = [], startTimeout: Duration = .seconds(60)
    ) throws {
        let executable = CLIRunner.product("runpod-sim")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw FixtureError("runpod-sim not found at \(executable); build it first with `swift build --product runpod-sim`")
        }
        var arguments = [executable, "--port", "0", "--api-key", apiKey, "--boot-delay", "\(bootDelay)"]
        if let stateDirectory { arguments += ["--state-dir", stateDirectory] }
        arguments += extraArguments
        running = try RunningProcess(arguments)
        self.apiKey = apiKey

        // The first line names the port; a simulator that never prints it fails the test, not hangs it.
        let deadline = Deadline.after(startTimeout)
        while !running.stdoutSoFar.contains("\n") && running.isRunning && !deadline.hasPassed { usleep(5_000) }
        let line = running.stdoutSoFar.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let prefix = "runpod-sim listening on "
        guard line.hasPrefix(prefix) else {
            running.process.signal(SIGKILL)
            let result = running.wait()
            throw FixtureError("runpod-sim did not print its listening line; its stderr was: \(result.stderr)")
        }
        baseURL = String(line.dropFirst(prefix.count))
        client = SimulatorClient(baseURL: baseURL, apiKey: apiKey)
    }

    /// Sends `signal` and waits for the process to exit (and reaps it); returns its exit code,
    /// or 128 + the signal that killed it.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(60)) -> Int32 {
        running.process.signal(signal)
        if !running.process.wait(timeout: timeout) { running.process.signal(SIGKILL) }
        return running.wait().status
    }

    /// What the simulator wrote to stderr so far.
    public var log: String { running.stderrSoFar }

    deinit {
        if running.isRunning { stop() }
    }
}
