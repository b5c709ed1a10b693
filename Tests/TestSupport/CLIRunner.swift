import AutopodSupport
import Foundation

/// Runs the built `autopod` the way a user would: in its own AUTOPOD_HOME and HOME, colour off,
/// pointed at a simulator when given one, and with a PATH that holds no `ssh` client (autopod
/// must never need one). Every run ends in a `ProcessResult`, like every other program the
/// tests run (`ChildProcess.run`).
public final class CLIRunner {
    /// The folder `swift build` put the executables in: the one holding the test bundle (found
    /// as swift-argument-parser's AssertExecuteCommand finds it). Every product is looked up here.
    public static let productsDirectory: URL = {
        let bundle = Bundle(for: CLIRunner.self).bundleURL
        return bundle.lastPathComponent.hasSuffix("xctest") ? bundle.deletingLastPathComponent() : bundle
    }()

    /// A product of this package (`autopod`, `runpod-sim`), by name.
    public static func product(_ name: String) -> String {
        productsDirectory.appendingPathComponent(name).path
    }

    public static var autopod: String { product("autopod") }

    /// Removed with the runner.
    private let scratch: TemporaryDirectory
    /// AUTOPOD_HOME: config.json, pods.json, known_hosts, logs. Not created until autopod or the
    /// test writes to it.
    public let home: URL
    /// HOME, where `~/.ssh` is.
    public let userHome: URL
    /// What every run gets; a test may change it (a wrong key, no key).
    public var environment: [String: String]

    public init(apiBaseURL: String? = nil, apiKey: String? = nil, environment extra: [String: String] = [:]) {
        scratch = TemporaryDirectory(prefix: "autopod-e2e")
        home = scratch.file("autopod-home")
        userHome = scratch.file("user-home")
        try? FileManager.default.createDirectory(at: userHome, withIntermediateDirectories: true)
        var environment = [
            "AUTOPOD_HOME": home.path,
            "HOME": userHome.path,
            "NO_COLOR": "1",
            "TERM": "dumb",
            "PATH": Self.pathWithoutSSH(in: scratch.url),
        ]
        if let tz = ProcessInfo.processInfo.environment["TZ"] { environment["TZ"] = tz }
        if let apiBaseURL { environment["RUNPOD_API_BASE_URL"] = apiBaseURL }
        if let apiKey { environment["RUNPOD_API_KEY"] = apiKey }
        self.environment = environment.merging(extra) { $1 }
    }

    /// Starts `autopod arguments` without waiting for it; `stdin` is its whole input.
    public func start(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws
        -> RunningProcess
    {
        try RunningProcess(
            [Self.autopod] + arguments, environment: environment.merging(extra) { $1 }, directory: scratch.path, input: stdin)
    }

    /// Runs `autopod arguments` to the end; one still running after `timeout` is killed and
    /// fails the test.
    public func run(
        _ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
        timeout: Duration = .seconds(180)
    ) throws -> ProcessResult {
        let result = try start(arguments, stdin: stdin, environment: extra).wait(timeout: timeout)
        if result.timedOut {
            throw FixtureError("autopod \(arguments.joined(separator: " ")) did not finish within \(timeout): \(result)")
        }
        return result
    }

    /// Runs a command that must succeed with `--json`; returns the parsed output.
    public func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments + ["--json"])
        guard result.status == 0 else { throw FixtureError("autopod \(arguments.joined(separator: " ")) failed: \(result)") }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// `autopod arguments` in a real terminal of `width`×`height`.
    /// autopod in a real terminal; `extraEnvironment` overrides the runner's (which sets NO_COLOR).
    public func tmux(
        _ arguments: [String], extraEnvironment: [String: String] = [:], width: Int = 120, height: Int = 40
    ) throws -> TmuxSession {
        try TmuxSession(
            [Self.autopod] + arguments,
            environment: environment.merging(["TERM": "xterm-256color"].merging(extraEnvironment) { $1 }) { $1 }, width: width,
            height: height)
    }

    /// autopod's log file, or "" before there is one.
    public func logText() -> String {
        (try? String(contentsOf: home.appendingPathComponent("logs/autopod.log"), encoding: .utf8)) ?? ""
    }

    /// A PATH with the system tools a test or autopod may call, but no `ssh` client, to prove
    /// autopod never runs one.
    private static func pathWithoutSSH(in scratch: URL) -> String {
        let bin = scratch.appendingPathComponent("bin-no-ssh")
        try? FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let tools = ["sh", "bash", "env", "cat", "sleep", "true", "false", "ssh-keygen", "tmux", "sha256sum", "head", "wc", "stty", "kill"]
        for tool in tools {
            for dir in ["/usr/bin", "/bin", "/usr/sbin"] where FileManager.default.fileExists(atPath: "\(dir)/\(tool)") {
                try? FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(tool).path, withDestinationPath: "\(dir)/\(tool)")
                break
            }
        }
        return bin.path
    }
}
