import Foundation

/// What a finished command printed and how it exited.
public struct CLIResult: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    public var description: String { "exit \(status)\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Runs the built `autopod` binary the way a user would, in its own AUTOPOD_HOME, pointed at a
/// simulator, with colour off and no `ssh` anywhere on PATH (autopod must never need one).
public final class CLIRunner: @unchecked Sendable {
    public let home: URL
    public var environment: [String: String]

    /// The build products directory (where `autopod` and `runpod-sim` are), next to the test bundle.
    public static var productsDirectory: URL {
        #if os(macOS)
            for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
                return bundle.bundleURL.deletingLastPathComponent()
            }
            fatalError("no .xctest bundle found")
        #else
            return Bundle.main.bundleURL
        #endif
    }

    public static var autopodBinary: URL { productsDirectory.appendingPathComponent("autopod") }

    public init(apiBaseURL: String?, apiKey: String?, home: URL? = nil) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("autopod-e2e-\(UUID().uuidString.prefix(8))")
        self.home = home ?? base.appendingPathComponent("home")
        let emptyBin = base.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: self.home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: emptyBin, withIntermediateDirectories: true)
        var environment: [String: String] = [
            "AUTOPOD_HOME": self.home.path,
            "NO_COLOR": "1",
            "HOME": base.path,
            "PATH": emptyBin.path,
            "TERM": "dumb",
        ]
        if let tz = ProcessInfo.processInfo.environment["TZ"] { environment["TZ"] = tz }
        if let apiBaseURL { environment["RUNPOD_API_BASE_URL"] = apiBaseURL }
        if let apiKey { environment["RUNPOD_API_KEY"] = apiKey }
        self.environment = environment
    }

    /// Starts `autopod args` without waiting for it.
    public func start(_ arguments: [String], extraEnvironment: [String: String] = [:]) throws -> RunningCLI {
        let process = Process()
        process.executableURL = Self.autopodBinary
        process.arguments = arguments
        process.environment = environment.merging(extraEnvironment) { $1 }
        process.currentDirectoryURL = home
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return RunningCLI(process: process, stdout: output, stderr: errors)
    }

    /// Runs `autopod args` to the end.
    public func run(_ arguments: [String], extraEnvironment: [String: String] = [:], timeout: TimeInterval = 180) throws
        -> CLIResult
    {
        try start(arguments, extraEnvironment: extraEnvironment).wait(timeout: timeout)
    }

    /// Runs a command that must succeed and prints JSON; returns the parsed value.
    public func json(_ arguments: [String]) throws -> Any {
        let result = try run(arguments + ["--json"])
        guard result.status == 0 else { throw CLIRunnerError.failed(result) }
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }
}

public enum CLIRunnerError: Error, CustomStringConvertible {
    case failed(CLIResult)
    case timedOut([String])

    public var description: String {
        switch self {
        case .failed(let result): return "command failed: \(result)"
        case .timedOut(let arguments): return "autopod \(arguments.joined(separator: " ")) did not finish in time"
        }
    }
}

/// An autopod process under way; its output is collected as it comes so pipes never fill.
public final class RunningCLI: @unchecked Sendable {
    public let process: Process
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private let group = DispatchGroup()

    init(process: Process, stdout: Pipe, stderr: Pipe) {
        self.process = process
        for (pipe, isOut) in [(stdout, true), (stderr, false)] {
            group.enter()
            DispatchQueue.global().async {
                while true {
                    let chunk = pipe.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    self.lock.lock()
                    if isOut { self.out.append(chunk) } else { self.err.append(chunk) }
                    self.lock.unlock()
                }
                self.group.leave()
            }
        }
    }

    /// What the process has written to stderr so far.
    public var stderrSoFar: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: err, as: UTF8.self)
    }

    /// What the process has written to stdout so far.
    public var stdoutSoFar: String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: out, as: UTF8.self)
    }

    public func interrupt() { process.interrupt() }

    public func wait(timeout: TimeInterval = 180) throws -> CLIResult {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                process.terminate()
                throw CLIRunnerError.timedOut(process.arguments ?? [])
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        _ = group.wait(timeout: .now() + 10)
        lock.lock()
        defer { lock.unlock() }
        return CLIResult(
            status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
            stderr: String(decoding: err, as: UTF8.self))
    }
}
