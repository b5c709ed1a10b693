/// A child process started with posix_spawn and reaped by pid with waitpid: the simulator's pod
/// processes and helper programs, and every program the tests run (autopod itself, sshd,
/// ssh-agent, ssh-keygen, tmux). autopod itself does not use it.
///
/// Foundation's `Process` is not used: on Linux it learns that a child exited when an inherited
/// socket closes, and sshd closes every inherited descriptor at start-up, so Foundation's monitor
/// thread then blocks in waitpid on a live sshd and every later `Process` (even `ip`) hangs; and
/// it never notices the exit of a program that leaves a daemon behind (tmux). Spawning directly
/// avoids both and keeps pids under our control.
///
/// The child starts with every signal at its default action and none blocked (the simulator
/// ignores SIGPIPE and, as a command, SIGINT and SIGTERM; children must not inherit that), and
/// with no descriptor above 2, so the parent's sockets never leak into sshd.
public final class ChildProcess: Sendable {
    /// Where one of the child's standard streams is connected.
    public enum Stream: Sendable {
        /// /dev/null.
        case null
        /// One of our descriptors, duplicated into the child (ours stays open).
        case descriptor(Int32)
        /// A file, created (0600) if need be and appended to.
        case file(String)
        /// For stderr: wherever stdout goes.
        case stdout
    }

    /// A program that could not be started.
    public struct SpawnError: Error, CustomStringConvertible, Sendable {
        public let command: String
        public let errno: Int32
        public var description: String { "cannot start \(command): \(Posix.errorString(errno))" }
    }

    public let pid: pid_t
    public let arguments: [String]
    /// The raw wait status, once the child has been reaped.
    private let reaped = LockedValue<Int32?>(nil)

    /// Starts `arguments` (an absolute path first). `environment` nil inherits ours; otherwise it
    /// is the child's whole environment. `directory` is the child's working directory.
    public init(
        _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
        stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .stdout
    ) throws(SpawnError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        Self.connect(&actions, 0, stdin, forWriting: false)
        Self.connect(&actions, 1, stdout, forWriting: true)
        if case .stdout = stderr {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            Self.connect(&actions, 2, stderr, forWriting: true)
        }
        // glibc ≥ 2.34 and 2.29 have these, but its header hides them from Swift; look them up.
        if let closeFrom = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            _ = unsafeBitCast(closeFrom, to: CloseFrom.self)(&actions, 3)
        }
        if let directory, let changeDirectory = dlsym(nil, "posix_spawn_file_actions_addchdir_np") {
            typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
            _ = unsafeBitCast(changeDirectory, to: ChangeDirectory.self)(&actions, directory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer {
            argv.forEach { free($0) }
            envp?.forEach { free($0) }
        }
        var child: pid_t = 0
        let result =
            envp.map { posix_spawn(&child, arguments[0], &actions, &attributes, argv, $0) }
            ?? posix_spawn(&child, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else { throw SpawnError(command: arguments.joined(separator: " "), errno: result) }
        pid = child
        self.arguments = arguments
    }

    private static func connect(
        _ actions: inout posix_spawn_file_actions_t, _ target: Int32, _ stream: Stream, forWriting: Bool
    ) {
        switch stream {
        case .null, .stdout:
            posix_spawn_file_actions_addopen(&actions, target, "/dev/null", forWriting ? O_WRONLY : O_RDONLY, 0)
        case .descriptor(let fd):
            posix_spawn_file_actions_adddup2(&actions, fd, target)
        case .file(let path):
            posix_spawn_file_actions_addopen(
                &actions, target, path, forWriting ? O_WRONLY | O_CREAT | O_APPEND : O_RDONLY, 0o600)
        }
    }

    /// Our environment with `changes` applied, for a child that needs a variable or two more.
    public static func inheritedEnvironment(adding changes: [String: String] = [:]) -> [String: String] {
        var variables: [String: String] = [:]
        var cursor: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        while let entry = cursor?.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor = cursor?.advanced(by: 1)
        }
        return variables.merging(changes) { $1 }
    }

    /// Whether the child still runs (reaps it once it has exited).
    public var isRunning: Bool {
        reaped.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            let result = waitpid(pid, &raw, WNOHANG)
            if result == pid || result < 0 {
                status = result == pid ? raw : -1
                return false
            }
            return true
        }
    }

    /// The raw wait status once exited.
    public var status: Int32? {
        _ = isRunning
        return reaped.current
    }

    /// How the child ended, as a shell reports it: its exit code, or 128 + the signal that
    /// killed it. Nil while it runs.
    public var exitCode: Int32? {
        guard let raw = status else { return nil }
        if raw == -1 { return -1 }
        return raw & 0x7f == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
    }

    public func signal(_ sig: Int32) {
        if isRunning { kill(pid, sig) }
    }

    /// Waits until the child exits or `timeout` passes; returns whether it exited.
    @discardableResult
    public func wait(timeout: Duration) -> Bool {
        let deadline = Deadline.after(timeout)
        while isRunning {
            if deadline.hasPassed { return false }
            usleep(2_000)
        }
        return true
    }

    /// Waits for the child to exit, however long that takes; returns `exitCode`.
    @discardableResult
    public func wait() -> Int32 {
        if reaped.current == nil {
            // Blocking outside the lock, so `isRunning` answers meanwhile; whichever call reaps
            // the child records its status, and a -1 (reaped elsewhere) never overwrites it.
            var raw: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &raw, 0) } while result < 0 && errno == EINTR
            reaped.withLock { status in
                if result == pid { status = raw } else if status == nil { status = -1 }
            }
        }
        return exitCode ?? -1
    }
}

extension ChildProcess {
    /// Runs `arguments` to the end (see `RunningProcess`) and returns what it printed.
    public static func run(
        _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil, input: String? = nil,
        mergingErrors: Bool = false, timeout: Duration = .seconds(120)
    ) throws(SpawnError) -> ProcessResult {
        try RunningProcess(arguments, environment: environment, directory: directory, input: input, mergingErrors: mergingErrors)
            .wait(timeout: timeout)
    }
}
