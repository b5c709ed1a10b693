import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `runpod-sim` executable as a subprocess, as end-to-end tests of the autopod
/// CLI need it. It reads the first stdout line (`runpod-sim listening on URL`) and offers a
/// `SimulatorClient` for GraphQL and control calls. The simulator's stderr goes to `logPath`.
public final class SimulatorFixture: @unchecked Sendable {
    public let process: Process
    public let baseURL: String
    public let apiKey: String
    public let logPath: String
    public let client: SimulatorClient
    public var pid: Int32 { process.processIdentifier }
    public var graphQLURL: String { baseURL + "/graphql" }

    public enum FixtureError: Error, CustomStringConvertible {
        case executableMissing(String)
        case noListeningLine(String)
        public var description: String {
            switch self {
            case .executableMissing(let path):
                return "runpod-sim not found at \(path); build it first with `swift build --product runpod-sim`"
            case .noListeningLine(let log):
                return "runpod-sim did not print its listening line; its stderr was: \(log)"
            }
        }
    }

    /// Starts `runpod-sim --port 0 --api-key KEY --boot-delay D [--state-dir DIR] extra...`.
    public init(
        apiKey: String = "rpsim-fixture-key", bootDelay: Double = 0.5, stateDirectory: String? = nil,
        extraArguments: [String] = [], startTimeout: Double = 60
    ) throws {
        let executable = Self.executablePath(named: "runpod-sim")
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw FixtureError.executableMissing(executable)
        }
        logPath = FileManager.default.temporaryDirectory.path
            + "/runpod-sim-fixture-\(getpid())-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        var arguments = ["--port", "0", "--api-key", apiKey, "--boot-delay", "\(bootDelay)"]
        if let stateDirectory { arguments += ["--state-dir", stateDirectory] }
        arguments += extraArguments
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle(forWritingAtPath: logPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        self.apiKey = apiKey

        // Read the first line on a helper thread so a simulator that never prints cannot hang us.
        let lineBox = LineBox()
        let reader = stdout.fileHandleForReading
        Thread.detachNewThread {
            var bytes = [UInt8]()
            while true {
                let chunk = reader.readData(ofLength: 1)
                if chunk.isEmpty || chunk[chunk.startIndex] == UInt8(ascii: "\n") { break }
                bytes.append(chunk[chunk.startIndex])
            }
            lineBox.set(String(decoding: bytes, as: UTF8.self))
            // Keep draining so later writes to stdout never block the simulator.
            while !reader.readData(ofLength: 4096).isEmpty {}
        }
        let line = lineBox.wait(timeout: startTimeout) ?? ""
        let prefix = "runpod-sim listening on "
        guard line.hasPrefix(prefix) else {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            throw FixtureError.noListeningLine((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
        }
        baseURL = String(line.dropFirst(prefix.count))
        client = SimulatorClient(baseURL: baseURL, apiKey: apiKey)
    }

    /// Sends `signal` and waits for the process to exit (and reaps it); returns its exit status,
    /// or the signal number when it died of one.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 60) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// What the simulator wrote to stderr so far.
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { stop() }
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// A product built next to the test bundle (`.build/<config>/NAME`).
    public static func executablePath(named name: String) -> String {
        var candidates: [String] = []
        if let bundleDirectory = Bundle.main.executableURL?.deletingLastPathComponent().path {
            candidates.append(bundleDirectory)
        }
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent().path)
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path)
        for directory in candidates where FileManager.default.isExecutableFile(atPath: directory + "/" + name) {
            return directory + "/" + name
        }
        return (candidates.first ?? ".") + "/" + name
    }
}

/// A one-shot value handed from the reader thread to the waiting test.
private final class LineBox: @unchecked Sendable {
    private let condition = NSCondition()
    private var line: String?

    func set(_ value: String) {
        condition.lock()
        if line == nil { line = value }
        condition.broadcast()
        condition.unlock()
    }

    func wait(timeout: Double) -> String? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date().addingTimeInterval(timeout)
        while line == nil && condition.wait(until: deadline) {}
        return line
    }
}
