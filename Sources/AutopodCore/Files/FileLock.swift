import FoundationEssentials

import AutopodSupport

/// An exclusive advisory lock (flock) on a file, so two autopod processes do not interleave
/// read-modify-write cycles of the same state. Released when the value is deinitialised.
public final class FileLock: Sendable {
    private let fd: Int32

    public init(path: URL, timeout: Duration = .seconds(30)) throws {
        fd = try Self.openLockFile(path)
        let deadline = Deadline.after(timeout)
        // flock cannot wait with a limit, so the lock is tried every 20 ms until the deadline.
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if deadline.hasPassed {
                close(fd)
                throw FileProblem(
                    path: path.path, reason: "another autopod process has held the state lock for \(timeout.wholeSeconds) s",
                    fix: "wait for it to finish, or stop it")
            }
            Sleep.for(min(.milliseconds(20), deadline.remaining))
        }
    }

    private init(locked fd: Int32) { self.fd = fd }

    /// Takes the lock if it is free at once; nil when another process holds it. A lock file
    /// that cannot be opened is an error, not "held".
    public static func attempt(_ path: URL) throws -> FileLock? {
        let fd = try openLockFile(path)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return FileLock(locked: fd)
    }

    private static func openLockFile(_ path: URL) throws -> Int32 {
        // O_NOFOLLOW: a link planted under the lock's name is not followed.
        let fd = open(path.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw FileProblem(path: path.path, reason: "cannot open lock file", fix: "check permissions on \(path.deletingLastPathComponent().path)")
        }
        return fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Runs `body` while holding the lock on `path`.
    public static func withLock<T>(_ path: URL, _ body: () throws -> T) throws -> T {
        let lock = try FileLock(path: path)
        return try withExtendedLifetime(lock) { try body() }
    }
}
