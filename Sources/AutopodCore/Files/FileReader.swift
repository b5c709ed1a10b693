import AutopodSupport
import FoundationEssentials

/// Reads a file from a byte offset to its end: the part of a log written since it was last read.
public enum FileReader {
    /// nil when the file cannot be opened.
    public static func bytes(atPath path: String, from offset: UInt64 = 0) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var position = off_t(offset)
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, position) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            result.append(contentsOf: chunk[..<n])
            position += off_t(n)
        }
        return result
    }
}
