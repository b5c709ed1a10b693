import AutopodSupport
import AutopodCore
import FoundationEssentials

/// `--detach`: starts this same binary again in its own session (setsid, so closing the terminal
/// does not reach it) with stdin from /dev/null and stdout/stderr appended to the tunnel's log,
/// then waits until that copy has bound its ports (it publishes its state file) or has failed.
/// posix_spawn rather than Foundation's Process: the child must outlive us and share nothing.
struct TunnelDetacher {
    let registry: TunnelRegistry
    let podID: String
    let podName: String

    func launch(arguments: [String], timeout: Duration = .seconds(60)) throws {
        try AutopodPaths.ensureDirectory(registry.directory)
        let log = registry.logFile(podID: podID)
        let executable = Self.executablePath()
        let logOffset = FileReader.size(atPath: log.path) ?? 0

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(Self.spawnSetSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of ours (API sockets, a test's pipes) may stay open in the background copy.
        // glibc ignores a close action whose fd is already closed.
        for fd in Self.openDescriptors() where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else {
            throw CLIFailure("could not start the background tunnel (\(executable)): \(String(cString: strerror(rc)))")
        }

        let deadline = Deadline.after(timeout)
        while !deadline.hasPassed {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let reason = Self.lastError(in: log, from: logOffset) ?? "it exited with status \(status >> 8)"
                throw CLIFailure("the tunnel to \(podName) did not start: \(reason) (log: \(log.path))")
            }
            if let record = registry.running(podID: podID), record.pid == pid {
                let ports = record.forwards.map { "localhost:\($0.localPort) → \($0.remotePort)" }.joined(separator: ", ")
                for note in record.notes ?? [] { Output.warning(note) }
                Output.done(Style.ok("✓") + " tunnel to \(podName.terminalSafe) running in the background (pid \(pid)): \(ports)")
                Output.done(Style.dim("  log: \(log.path); `autopod tunnel list` shows it, `autopod tunnel stop \(TerminalText.shellWord(podName))` ends it."))
                return
            }
            Sleep.for(.milliseconds(50))
        }
        kill(pid, SIGTERM)
        throw CLIFailure("the tunnel to \(podName) did not report its ports within \(timeout.wholeSeconds) s and was stopped (log: \(log.path))")
    }

    /// POSIX_SPAWN_SETSID (glibc 2.26+, macOS 10.15+) is hidden behind _GNU_SOURCE in Swift's
    /// Glibc module; its value is part of the ABI.
    #if os(Linux)
    static let spawnSetSID: Int32 = 0x80
    #else
    static let spawnSetSID: Int32 = 0x0400
    #endif

    /// Our open file descriptors (posix_spawn_file_actions_addclosefrom_np is not visible either).
    static func openDescriptors() -> [Int32] {
        #if os(Linux)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }
        #else
        return Array(3..<256)
        #endif
    }

    /// The running binary, so the background copy is the same version.
    static func executablePath() -> String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return CommandLine.arguments[0]
    }

    /// The child's "error: ..." line, written by AutopodCommand.report.
    static func lastError(in log: URL, from offset: UInt64) -> String? {
        guard let bytes = FileReader.bytes(atPath: log.path, from: offset) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        let line = text.split(separator: "\n").last { $0.hasPrefix("error: ") }
        return line.map { String($0.dropFirst("error: ".count)) }
    }
}
