extension Posix {
    /// Whether `pid` is a live process that is not a zombie.
    public static func isProcessAlive(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) != 0 && errno != EPERM { return false }
        #if os(Linux)
        // A zombie (exited, not yet reaped) still answers kill(0); /proc says "Z" (or "X", dead).
        if let state = processState(pid) { return state != UInt8(ascii: "Z") && state != UInt8(ascii: "X") }
        #endif
        return true
    }

    #if os(Linux)
    /// The state letter of /proc/PID/stat: the first field after the command name's ")".
    private static func processState(_ pid: Int32) -> UInt8? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0, let end = buffer[..<count].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        return buffer[(end + 1)..<count].first { $0 != UInt8(ascii: " ") }
    }
    #endif
}
