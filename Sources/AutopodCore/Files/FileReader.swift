import AutopodSupport
import SSHKit
import FoundationEssentials

/// Reads a file from a byte offset to its end: the part of a log written since it was last read.
public enum FileReader {
    /// The file's size, or nil when it cannot be read. From stat(2) (`LocalFileInfo`), not
    /// FileManager: its attributes are `Any`, and FoundationEssentials stores the size as `UInt`,
    /// which `as? UInt64` does not match without full Foundation's number bridging (this made
    /// `logs -f` never see a new line once Foundation left the binary).
    public static func size(atPath path: String) -> UInt64? {
        (try? LocalFileInfo.followingLinks(path))?.size
    }

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
