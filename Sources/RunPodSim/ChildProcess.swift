import Foundation
import AutopodSupport

/// A child process started with posix_spawn and reaped with waitpid by pid.
///
/// Foundation's `Process` is not used for pod processes: on Linux it learns that a child exited
/// when an inherited socket closes, and sshd closes every inherited descriptor at start-up, so
/// Foundation's monitor thread then blocks in waitpid on a live sshd and every later `Process`
/// (even `ip`) hangs. Spawning directly avoids that and keeps pids under our control.
final class ChildProcess: Sendable {
    let pid: pid_t
    /// The raw wait status once reaped (-1 when waitpid failed); reaping happens under the lock,
    /// so only one thread ever reaps the pid.
    private let exitStatus = LockedValue<Int32?>(nil)

    /// Starts `arguments` (absolute path first) with stdin from /dev/null and stdout/stderr to
    /// `outputFD` (or /dev/null when nil).
    init(_ arguments: [String], inputFD: Int32? = nil, outputFD: Int32? = nil, logPath: String? = nil) throws(SimulatorError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let inputFD {
            posix_spawn_file_actions_adddup2(&actions, inputFD, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if let outputFD {
            posix_spawn_file_actions_adddup2(&actions, outputFD, 1)
            posix_spawn_file_actions_adddup2(&actions, outputFD, 2)
        } else if let logPath {
            posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // The simulator ignores SIGPIPE and (as a command) SIGINT/SIGTERM; children must not.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw .command(arguments.joined(separator: " "), status: 127, output: String(cString: strerror(result)))
        }
        pid = child
    }

    /// Whether the child still runs (reaps it if it has exited).
    var isRunning: Bool {
        exitStatus.withLock { exitStatus in
            if exitStatus != nil { return false }
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid || reaped < 0 {
                exitStatus = reaped == pid ? status : -1
                return false
            }
            return true
        }
    }

    /// The raw wait status once exited.
    var status: Int32? { _ = isRunning; return exitStatus.current }

    func signal(_ sig: Int32) {
        if isRunning { kill(pid, sig) }
    }

    /// Waits until the child exits or `timeout` passes; returns whether it exited.
    @discardableResult
    func wait(timeout: Duration) -> Bool {
        let deadline = Deadline.after(timeout)
        while isRunning {
            if deadline.hasPassed { return false }
            Sleep.for(.milliseconds(2))
        }
        return true
    }

    /// Runs `arguments` to completion and returns (exit code, combined output).
    /// `input`, if given, is written to the child's stdin (small inputs only: it is written
    /// before the output is read).
    static func run(_ arguments: [String], input: String? = nil) -> (Int32, String) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return (127, "pipe failed") }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var stdinFDs: [Int32] = [-1, -1]
        if input != nil {
            guard pipe(&stdinFDs) == 0 else { return (127, "pipe failed") }
            _ = fcntl(stdinFDs[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(stdinFDs[1], F_SETFD, FD_CLOEXEC)
        }
        let child: ChildProcess
        do {
            child = try ChildProcess(arguments, inputFD: input != nil ? stdinFDs[0] : nil, outputFD: fds[1])
        } catch {
            [fds[0], fds[1], stdinFDs[0], stdinFDs[1]].filter { $0 >= 0 }.forEach { close($0) }
            return (127, "\(error)")
        }
        close(fds[1])
        if let input {
            close(stdinFDs[0])
            _ = Array(input.utf8).withUnsafeBytes { write(stdinFDs[1], $0.baseAddress, $0.count) }
            close(stdinFDs[1])
        }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            output.append(contentsOf: buffer[0..<n])
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(child.pid, &status, 0) < 0 && errno == EINTR {}
        let code: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, String(decoding: output, as: UTF8.self))
    }
}
