import AutopodSupport
import FoundationEssentials

/// Gives back the file pages a long-running tunnel mapped while it started (argument parsing,
/// config, the API client, the first SSH handshake) once it only forwards.
///
/// Why: autopod is one static binary, and the kernel maps code in 64 KiB runs around every
/// page it touches, so start-up leaves about 15 MB of code resident that the forwarding loop
/// never runs again. `MADV_PAGEOUT` (Linux 5.4+) asks the kernel to reclaim those pages now
/// rather than under memory pressure. It is only advice and never loses data: clean file pages
/// are read again on their next use, and pages shared with other processes or written to
/// (relocated data) are left alone by the kernel.
public enum StartupPages {
    /// Advises every file-backed mapping of this process; returns the bytes advised.
    @discardableResult
    public static func release() -> Int {
        #if os(Linux)
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return 0 }
        var advised = 0
        for line in maps.split(separator: "\n") {
            guard let range = fileBackedRange(line) else { continue }
            let pointer = UnsafeMutableRawPointer(bitPattern: range.lowerBound)
            if madvise(pointer, range.count, pageOutAdvice) == 0 { advised += range.count }
        }
        return advised
        #else
        return 0
        #endif
    }

    /// `MADV_PAGEOUT` from <sys/mman.h>; spelled out for C libraries whose headers predate it.
    private static let pageOutAdvice: Int32 = 21

    /// The address range of a /proc/self/maps line that maps a file (its path starts with "/").
    static func fileBackedRange(_ line: Substring) -> Range<Int>? {
        // start-end perms offset device inode [padding] path
        let fields = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard fields.count == 6, fields[5].drop(while: { $0 == " " }).hasPrefix("/") else { return nil }
        let bounds = fields[0].split(separator: "-")
        guard bounds.count == 2, let start = Int(bounds[0], radix: 16), let end = Int(bounds[1], radix: 16), start < end
        else { return nil }
        return start..<end
    }
}
