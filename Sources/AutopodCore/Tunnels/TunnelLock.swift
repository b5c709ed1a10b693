import AutopodSupport
import FoundationEssentials

/// Who holds a tunnel's lock file. A running tunnel holds `<pod-id>.lock` for its whole life
/// (the kernel drops it when the process ends, however it ends), so the lock, not the pid
/// written in a state file (which a reused pid or a planted file can make point anywhere),
/// says whether a tunnel runs and which process it is.
public enum TunnelLock {
    public enum Holder: Equatable, Sendable {
        /// Nobody: no tunnel runs for the pod, whatever a state file says.
        case none
        /// Held; the pid when the system says which process holds it.
        case process(Int32?)
    }

    public static func holder(of url: URL) -> Holder {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return .none }
        #if os(Linux)
        // /proc/locks: "1: FLOCK  ADVISORY  WRITE 21836 fe:00:16220295 0 EOF" (major and
        // minor in hex, inode in decimal); "->" lines are waiters, not holders.
        guard let bytes = FileReader.bytes(atPath: "/proc/locks") else { return tryLock(url) }
        let text = String(decoding: bytes, as: UTF8.self)
        let dev = UInt64(info.st_dev)
        let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & ~UInt64(0xfff))
        let minor = (dev & 0xff) | ((dev >> 12) & ~UInt64(0xff))
        let wanted = format2(major) + ":" + format2(minor) + ":" + String(UInt64(info.st_ino))
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK", fields[5] == wanted else { continue }
            let pid = Int32(fields[4]).flatMap { $0 > 0 ? $0 : nil }
            return .process(pid)
        }
        return .none
        #else
        return tryLock(url)
        #endif
    }

    /// Whether `pid` runs this program's `tunnel` command, checked before it is signalled.
    public static func isAutopodTunnel(_ pid: Int32) -> Bool {
        #if os(Linux)
        guard pid > 0, let mine = executableName("/proc/self/exe") else { return false }
        if let exe = executableName("/proc/\(pid)/exe") {
            guard exe == mine else { return false }
        } else {
            // autopod makes itself non-dumpable, which hides its exe link from everyone but
            // root: its name (comm, cut to 15 bytes) and its owner, ours, stand in.
            guard let comm = FileReader.bytes(atPath: "/proc/\(pid)/comm"),
                String(decoding: comm, as: UTF8.self)[...].trimmingWhitespace() == String(decoding: mine.utf8.prefix(15), as: UTF8.self),
                realUserID(of: pid) == getuid()
            else { return false }
        }
        guard let cmdline = FileReader.bytes(atPath: "/proc/\(pid)/cmdline") else { return false }
        return cmdline.split(separator: 0).dropFirst().contains { Array($0) == Array("tunnel".utf8) }
        #else
        return false
        #endif
    }

    /// The real uid on the `Uid:` line of /proc/PID/status (readable for any process).
    private static func realUserID(of pid: Int32) -> uid_t? {
        guard let bytes = FileReader.bytes(atPath: "/proc/\(pid)/status") else { return nil }
        let line = String(decoding: bytes, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("Uid:") }
        return line?.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst().first.flatMap { uid_t($0) }
    }

    private static func executableName(_ link: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(link, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        var path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A binary replaced on disk (a rebuild, an upgrade) while the tunnel runs.
        if path.hasSuffix(" (deleted)") { path.removeLast(" (deleted)".count) }
        return path.split(separator: "/").last.map(String.init)
    }

    private static func format2(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return text.count < 2 ? "0" + text : text
    }

    /// Without /proc/locks: a shared lock taken at once means nobody holds it.
    private static func tryLock(_ url: URL) -> Holder {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return .none }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return .none
        }
        return .process(nil)
    }
}
