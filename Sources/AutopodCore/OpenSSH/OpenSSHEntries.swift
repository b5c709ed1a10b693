import AutopodSupport
import FoundationEssentials
import Logging

/// Keeps what OpenSSH reads about pods current: the known_hosts for OpenSSH (always, it is
/// derived from the pins) and, once the user asked for it with `ssh-config --write`, the Host
/// entries in `~/.ssh/autopod.conf`. `connect`, `start`, `stop` and `kill` call `refresh`.
public struct OpenSSHEntries: Sendable {
    public let paths: AutopodPaths
    public let config: AutopodConfig
    public let environment: Environment

    public init(paths: AutopodPaths, config: AutopodConfig, environment: Environment = .process) {
        self.paths = paths
        self.config = config
        self.environment = environment
    }

    /// autopod's file of Host entries, which the user's `~/.ssh/config` includes.
    public var configFile: URL { AutopodPaths.userSSHDirectory(environment).appendingPathComponent("autopod.conf") }
    /// The user's own OpenSSH config, where only the Include line is ever added.
    public var userConfigFile: URL { AutopodPaths.userSSHDirectory(environment).appendingPathComponent("config") }

    /// The entries for the pods in `records` that are not terminated.
    public func entries(_ records: [PodRecord]) -> SSHConfigEntries {
        let live = records.filter { !$0.isTerminated }
        let custom = environment["AUTOPOD_HOME"].map { !$0.isEmpty } ?? false
        return SSHConfigEntries(
            pods: live.map { .init(id: $0.id, name: $0.name, gpu: $0.gpuCount > 1 ? "\($0.gpuCount)× \($0.gpuDisplayName)" : $0.gpuDisplayName) },
            user: config.sshUser, identityFiles: config.sshKeyPaths, executable: Self.currentExecutable(),
            autopodHome: custom ? paths.home.path : nil, knownHostsFile: paths.openSSHKnownHosts.path)
    }

    /// Writes `~/.ssh/autopod.conf` (0600, atomically) for `records`.
    public func write(_ records: [PodRecord]) throws {
        try AutopodPaths.ensureDirectory(configFile.deletingLastPathComponent())
        try PrivateFile.replace(configFile.path, with: Array(entries(records).render().utf8), mode: 0o600)
        try OpenSSHKnownHosts.sync(paths: paths)
    }

    /// After a pod changed (`changed`: its id, so a cached endpoint is dropped): OpenSSH's
    /// known_hosts in step with the pins, and the Host entries rewritten if the user keeps them.
    /// Never fails the command that changed the pod: a problem is logged.
    public func refresh(changed podID: String? = nil) {
        if let podID { ProxyEndpointCache(paths: paths).forget(podID: podID) }
        do {
            try OpenSSHKnownHosts.sync(paths: paths)
            guard FileManager.default.fileExists(atPath: configFile.path) else { return }
            try write(PodStateStore(paths: paths).load().pods)
        } catch {
            Logger(label: "autopod.ssh-config").warning("could not update the OpenSSH entries: \(error)")
        }
    }

    /// The absolute path of the running autopod (editors start `ssh` with their own PATH).
    public static func currentExecutable() -> String {
        #if os(Linux)
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 { return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        #endif
        let argument = CommandLine.arguments.first ?? "autopod"
        if argument.hasPrefix("/") { return argument }
        if argument.contains("/") { return FileManager.default.currentDirectoryPath + "/" + argument }
        return argument
    }
}
