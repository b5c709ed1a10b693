import Foundation
import AutopodSupport

/// A pod's OpenSSH server: a fresh ed25519 host key, the pod's PUBLIC_KEY lines as
/// authorized_keys, the pod's environment via `SetEnv`, and an SFTP subsystem (OpenSSH's
/// internal-sftp, so `scp`, `sftp` and autopod's file commands work), run in the foreground
/// (`-D`) so the simulator owns its pid. In a namespace it listens on port 22 of the pod's own
/// address and runs inside the pod's filesystem (see `PodFilesystem`).
final class SSHDaemon: Sendable {
    let directory: String
    let listenHost: String
    let port: UInt16
    let hostPublicKey: String
    private let namespace: String?
    private let filesystem: PodFilesystem

    private struct State {
        /// The running sshd, from `start` until `stop`.
        var process: ChildProcess?
        var fingerprint: String?
    }

    /// The control API, boots and teardowns reach a daemon from different threads.
    private let state = LockedValue(State())

    static let sshdPath = "/usr/sbin/sshd"

    /// Writes keys and config into `directory`; does not start the server yet.
    init(
        directory: String, network: PodNetwork, port: UInt16, authorizedKeys: String, environment: [(String, String)],
        keptHostKey: String? = nil,
        filesystem: PodFilesystem
    ) throws(SimulatorError) {
        self.directory = directory
        self.filesystem = filesystem
        namespace = network.namespace
        listenHost = network.podAddress
        self.port = port
        let fm = FileManager.default
        try? fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if Shell.isRoot { try? fm.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
        let key = directory + "/ssh_host_ed25519_key"
        try? fm.removeItem(atPath: key)
        try? fm.removeItem(atPath: key + ".pub")
        if let keptHostKey, fm.fileExists(atPath: keptHostKey), fm.fileExists(atPath: keptHostKey + ".pub") {
            // An image that keeps its host keys (on the volume, or baked in) shows the same key after a start.
            try? fm.copyItem(atPath: keptHostKey, toPath: key)
            try? fm.copyItem(atPath: keptHostKey + ".pub", toPath: key + ".pub")
            chmod(key, 0o600)
        } else {
            try Shell.check(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "runpod-sim-host", "-f", key])
        }
        hostPublicKey = ((try? String(contentsOfFile: key + ".pub", encoding: .utf8)) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = fm.createFile(atPath: directory + "/authorized_keys", contents: Data(authorizedKeys.utf8))
        let user = Shell.isRoot ? "root" : (ProcessInfo.processInfo.environment["USER"] ?? "root")
        var config = """
            Port \(port)
            ListenAddress \(network.namespace != nil ? "0.0.0.0" : "127.0.0.1")
            HostKey \(key)
            AuthorizedKeysFile \(directory)/authorized_keys \(directory)/.ssh/authorized_keys
            PidFile \(directory)/sshd.pid
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            AllowUsers \(user)
            AllowTcpForwarding yes
            LogLevel VERBOSE
            Subsystem sftp \(filesystem.isolated ? "internal-sftp" : "internal-sftp -d \(filesystem.volume)")

            """
        // The pod's home is its own directory, as a pod's /root is its own: `~/.ssh/authorized_keys`
        // (which sshd reads too, as on RunPod) and anything else a session writes under `~`
        // stay with the pod instead of landing in the home of the user running the simulator.
        let environment = [("HOME", directory)] + environment
        if !environment.isEmpty {
            // SetEnv cannot carry newlines (a multi-key PUBLIC_KEY): those become spaces.
            let pairs = environment.map { key, value -> String in
                let flat = value.replacingOccurrences(of: "\n", with: " ")
                let escaped = flat.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                return "\"\(key)=\(escaped)\""
            }
            config += "SetEnv " + pairs.joined(separator: " ") + "\n"
        }
        _ = fm.createFile(atPath: directory + "/sshd_config", contents: Data(config.utf8))
    }

    /// The host key's SHA256 fingerprint as OpenSSH prints it; computed on first use (by the
    /// control API) so booting a pod spawns one process less.
    var hostKeyFingerprint: String {
        if let cached = state.current.fingerprint { return cached }
        let output = Shell.run(["/usr/bin/ssh-keygen", "-l", "-f", directory + "/ssh_host_ed25519_key.pub"]).output
        let fingerprint = output.split(separator: " ").dropFirst().first.map(String.init) ?? ""
        state.withLock { $0.fingerprint = fingerprint }
        return fingerprint
    }

    /// A loopback port nobody listens on now, for sshd when there are no namespaces.
    static func freeLoopbackPort() throws(SimulatorError) -> UInt16 {
        let probe = try Sockets.listen(host: "127.0.0.1", port: 0)
        defer { close(probe) }
        return Sockets.localPort(probe)
    }

    var pid: Int32? {
        guard let running = state.current.process, running.isRunning else { return nil }
        return running.pid
    }

    /// Starts sshd and waits until it accepts connections.
    func start() throws(SimulatorError) {
        var arguments = [Self.sshdPath, "-D", "-f", directory + "/sshd_config", "-E", directory + "/sshd.log"]
        if filesystem.isolated {
            // The script execs sshd through chroot, so the pid stays sshd's.
            let script = directory + "/pod-root.sh"
            let text = filesystem.launchScript(exec: arguments, hostDirectory: directory)
            guard FileManager.default.createFile(atPath: script, contents: Data(text.utf8)) else {
                throw .badArgument("cannot write \(script)")
            }
            arguments = ["/usr/bin/unshare", "--mount", "--uts", "/bin/sh", script]
        }
        if let namespace { arguments = ["/usr/sbin/ip", "netns", "exec", namespace] + arguments }
        let launched: ChildProcess
        do {
            launched = try ChildProcess(arguments, stdout: .file(directory + "/sshd.stdout"))
        } catch {
            throw .command(arguments.joined(separator: " "), status: 127, output: error.description)
        }
        state.withLock { $0.process = launched }
        let deadline = Deadline.after(.seconds(20))
        while !deadline.hasPassed {
            if Sockets.isAccepting(host: listenHost, port: port) { return }
            if !launched.isRunning {
                let log = (try? String(contentsOfFile: directory + "/sshd.log", encoding: .utf8)) ?? ""
                throw .command(arguments.joined(separator: " "), status: launched.status ?? -1, output: log)
            }
            Sleep.for(.milliseconds(5))
        }
        throw .timeout("sshd in \(directory) to accept connections")
    }

    /// Stops sshd and every session it forked. `signal` SIGKILL simulates a crash.
    func stop(signal: Int32 = SIGTERM) {
        guard let running = state.current.process else { return }
        if running.isRunning {
            let children = ResourceSweeper.descendants(of: running.pid)
            running.signal(signal)
            children.forEach { kill($0, SIGKILL) }
            if !running.wait(timeout: .seconds(3)) {
                running.signal(SIGKILL)
                running.wait(timeout: .seconds(5))
            }
        }
        state.withLock { $0.process = nil }
    }

    func restart() throws(SimulatorError) {
        stop()
        try start()
    }

    /// The host key's file, for keeping it across starts.
    var hostKeyPath: String { directory + "/ssh_host_ed25519_key" }

    /// A new host key on the same running pod, with no restart: what a man in the middle, or a
    /// pod whose key was swapped behind autopod's back, looks like from outside.
    func rekey() throws(SimulatorError) {
        stop()
        let key = hostKeyPath
        try? FileManager.default.removeItem(atPath: key)
        try? FileManager.default.removeItem(atPath: key + ".pub")
        try Shell.check(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "runpod-sim-host", "-f", key])
        state.withLock { $0.fingerprint = nil }
        try start()
    }
}
