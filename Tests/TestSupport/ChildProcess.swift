import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn and reaped with waitpid.
///
/// Foundation's `Process` is not used: its monitor thread blocks in waitpid when a child
/// (ssh-agent, sshd) closes all inherited fds, and then no other Process is ever reaped.
/// Every fd above 2 is closed in the child, so test sockets never leak into sshd.
public final class ChildProcess {
    public let pid: pid_t
    private var exited: Int32?

    /// `output`: a file path that receives stdout and stderr (nil → /dev/null).
    public init(_ path: String, _ args: [String], environment: [String: String] = [:], output: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // glibc ≥ 2.34 has it, but its header hides it from Swift; look it up at run time.
        if let sym = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") {
            typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
            _ = unsafeBitCast(sym, to: CloseFrom.self)(&actions, 3)
        }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        let argv = ([path] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw FixtureError("cannot start \(path): \(String(cString: strerror(rc)))") }
        pid = child
    }

    public var isRunning: Bool {
        if exited != nil { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            exited = status
            return false
        }
        return true
    }

    @discardableResult
    public func wait() -> Int32 {
        if let exited { return exited }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        exited = status
        return status
    }

    /// The exit code (or 128 + signal).
    public var exitCode: Int32 {
        let s = wait()
        return s & 0x7f == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f)
    }

    public func signal(_ sig: Int32) {
        if isRunning { kill(pid, sig) }
    }
}
