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

    /// Creates the home folder (0700) if needed, or checks the one there as OpenSSH's
    /// StrictModes does (see `ensureDirectory`).
    public func ensureHome() throws {
        try Self.ensureDirectory(home)
    }

    /// Checks the home and its subfolders that exist, without creating anything: a command
    /// must not read a config or state another user could have planted.
    public func checkHome() throws {
        for folder in [home, logs, tunnels] where FileManager.default.fileExists(atPath: folder.path) {
            try Self.checkPrivate(folder)
        }
    }

    /// Creates the folder (0700) if needed. One that exists must be a folder owned by this user
    /// and writable by no one else (the API key and pins live here: another user who could
    /// write in it could plant files or swap them); a mode that lets others read it is
    /// tightened to 0700, and a failure to do so is an error.
    public static func ensureDirectory(_ url: URL) throws {
        let manager = FileManager.default
        var isDirectory = false
        if !manager.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            try manager.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } else if !isDirectory {
            throw FileProblem(path: url.path, reason: "it exists but is not a folder", fix: "move it away")
        }
        try checkPrivate(url)
    }

    static func checkPrivate(_ url: URL) throws {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw FileProblem(path: url.path, reason: "cannot check it (\(Posix.errorString()))", fix: "check its permissions")
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw FileProblem(path: url.path, reason: "it exists but is not a folder", fix: "move it away")
        }
        let me = geteuid()
        guard info.st_uid == me else {
            throw FileProblem(
                path: url.path, reason: "it belongs to another user (uid \(info.st_uid)), who could read or plant autopod's files",
                fix: "use a folder of your own: set AUTOPOD_HOME to a new path, or remove this one")
        }
        guard info.st_mode & 0o022 == 0 else {
            throw FileProblem(
                path: url.path,
                reason: "other users can write in it (mode \(String(info.st_mode & 0o777, radix: 8))), so they could plant or swap autopod's files",
                fix: "check its contents, then run `chmod 700 \(url.path)`")
        }
        if info.st_mode & 0o077 != 0 && chmod(url.path, 0o700) != 0 {
            throw FileProblem(path: url.path, reason: "cannot make it private (\(Posix.errorString()))", fix: "run `chmod 700 \(url.path)`")
        }
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

    public var description: String { "\(path): \(reason); \(fix)" }
}
