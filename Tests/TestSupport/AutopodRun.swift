import Foundation

/// Runs the built `autopod` binary with its own AUTOPOD_HOME and HOME, no colour, and a PATH
/// without any ssh client.
public struct AutopodRun {
    public let scratch: TemporaryDirectory
    public var environment: [String: String]

    public var home: URL { scratch.file("autopod-home") }

    public init(environment extra: [String: String] = [:]) {
        scratch = TemporaryDirectory(prefix: "autopod-e2e")
        let userHome = scratch.file("user-home")
        try? FileManager.default.createDirectory(at: userHome, withIntermediateDirectories: true)
        environment = [
            "AUTOPOD_HOME": scratch.file("autopod-home").path,
            "HOME": userHome.path,
            "NO_COLOR": "1",
            "TERM": "xterm-256color",
            "PATH": BuiltProducts.pathWithoutSSH(in: scratch.url),
        ]
        environment.merge(extra) { $1 }
    }

    public var userHome: URL { URL(fileURLWithPath: environment["HOME"]!) }

    public func run(_ arguments: [String], stdin: String? = nil, timeout: Double = 120) throws -> ProcessRunner.Result {
        try ProcessRunner.run(BuiltProducts.autopod, arguments, environment: environment, stdin: stdin, timeout: timeout)
    }

    /// The command line for a terminal session, with this run's environment exported.
    public func tmux(_ arguments: [String], width: Int = 120, height: Int = 40) throws -> TmuxSession {
        try TmuxSession([BuiltProducts.autopod] + arguments, environment: environment, width: width, height: height)
    }

    public func logText() -> String {
        (try? String(contentsOf: home.appendingPathComponent("logs/autopod.log"), encoding: .utf8)) ?? ""
    }
}
