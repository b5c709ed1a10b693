import AutopodSupport
import FoundationEssentials

/// Where autopod keeps its files: `AUTOPOD_HOME`, by default `~/.autopod`.
public struct AutopodPaths: Sendable {
    public let home: URL

    public init(home: URL) { self.home = home }

    /// Resolves `AUTOPOD_HOME` (or `~/.autopod`) from the environment.
    public static func fromEnvironment(_ environment: Environment = .process)
        -> AutopodPaths
    {
        if let custom = environment["AUTOPOD_HOME"], !custom.isEmpty {
            return AutopodPaths(home: URL(fileURLWithPath: expandTilde(custom, environment: environment)))
        }
        return AutopodPaths(home: userHome(environment).appendingPathComponent(".autopod"))
    }

    public var config: URL { home.appendingPathComponent("config.json") }
    public var pods: URL { home.appendingPathComponent("pods.json") }
    public var knownHosts: URL { home.appendingPathComponent("known_hosts") }
    public var logs: URL { home.appendingPathComponent("logs") }
    public var log: URL { logs.appendingPathComponent("autopod.log") }
    public var tunnels: URL { home.appendingPathComponent("tunnels") }
    public var stateLock: URL { home.appendingPathComponent(".state.lock") }

    /// Creates the home folder (0700) if needed and tightens its mode if it is looser.
    public func ensureHome() throws {
        try Self.ensureDirectory(home)
    }

    public static func ensureDirectory(_ url: URL) throws {
        let manager = FileManager.default
        var isDirectory = false
        if !manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            try manager.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } else if !isDirectory {
            throw FileProblem(path: url.path, reason: "it exists but is not a folder", fix: "move it away")
        }
        chmod(url.path, 0o700)
    }

    public static func userHome(_ environment: Environment = .process) -> URL {
        if let home = environment["HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser
    }

    public static func expandTilde(_ path: String, environment: Environment = .process)
        -> String
    {
        guard path == "~" || path.hasPrefix("~/") else { return path }
        return userHome(environment).path + path.dropFirst()
    }
}

/// A file autopod could not use, with the path and what the user can do about it.
public struct FileProblem: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public let fix: String

    public init(path: String, reason: String, fix: String) {
        self.path = path
        self.reason = reason
        self.fix = fix
    }

    public var description: String { "\(path): \(reason); \(fix)" }
}
