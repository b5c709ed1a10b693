extension Posix {
    /// The soft limit on open files (`ulimit -n`), read each time: it can change while a
    /// process runs (`prlimit --pid`).
    public static func openFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return Int(Int32.max) }
        return Int(clamping: limit.rlim_cur)
    }

    /// The number the next new descriptor would get: every lower one is in use. Nil when none
    /// is free at all.
    public static func lowestFreeDescriptor() -> Int32? {
        let probe = fcntl(0, F_DUPFD_CLOEXEC, 0)
        if probe >= 0 {
            close(probe)
            return probe
        }
        // With nothing on descriptor 0 there is nothing to duplicate, and 0 itself is free.
        return errno == EBADF ? 0 : nil
    }
}
