import AutopodSupport
import SSHKit

/// Tells `sync --watch` that something under a local directory changed, through a file
/// descriptor that becomes readable (so the wait can share a poll() with the SSH connection).
///
/// On Linux this is inotify, one watch per directory (new directories are watched as they
/// appear; ignored ones never are). Elsewhere it falls back to comparing a listing of the tree
/// every half second, signalled through a pipe.
public final class FileWatcher {
    public let root: String
    private let rules: IgnoreRules
    /// Readable when there is news; `changes()` reads it.
    public let fd: Int32
    #if os(Linux)
    private var directories: [Int32: String] = [:]
    #endif

    public init(root: String, rules: IgnoreRules) throws {
        self.root = root
        self.rules = rules
        #if os(Linux)
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            throw WatchError(message: "cannot watch \(root) for changes: \(Posix.errorString()) (raise fs.inotify.max_user_instances?)")
        }
        try add("")
        #else
        throw WatchError(message: "--watch needs inotify (Linux) in this build")
        #endif
    }

    deinit {
        close(fd)
    }

    public struct WatchError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    #if os(Linux)
    private static let mask: UInt32 = UInt32(
        IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF)

    /// Watches `relative` and every directory below it that is not ignored.
    private func add(_ relative: String) throws {
        let tree = LocalTree.walk(PathText.join(root, relative), rules: IgnoreRules())
        var list = [relative]
        for entry in tree.entries where entry.info.kind == .directory {
            let path = relative.isEmpty ? entry.relativePath : relative + "/" + entry.relativePath
            if !isIgnoredOrInsideIgnored(path) { list.append(path) }
        }
        for path in list {
            let wd = inotify_add_watch(fd, PathText.join(root, path), Self.mask)
            if wd < 0 {
                if errno == ENOSPC {
                    throw WatchError(message: "too many directories to watch under \(root) (raise fs.inotify.max_user_watches, or exclude some)")
                }
                continue
            }
            directories[wd] = path
        }
    }

    private func isIgnoredOrInsideIgnored(_ path: String) -> Bool {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
            if rules.isIgnored(prefix, isDirectory: true) { return true }
        }
        return false
    }
    #endif

    /// Reads what happened: the relative paths that changed and are not ignored (empty when
    /// only ignored paths moved).
    public func changes() -> [String] {
        var changed: [String] = []
        #if os(Linux)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            var offset = 0
            let header = MemoryLayout<inotify_event>.size
            while offset + header <= n {
                let (wd, eventMask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameBytes = buffer[(offset + header)..<min(n, offset + header + length)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                offset += header + length
                guard let directory = directories[wd] else { continue }
                let path = name.isEmpty ? directory : (directory.isEmpty ? name : directory + "/" + name)
                let isDirectory = eventMask & UInt32(IN_ISDIR) != 0
                if eventMask & UInt32(IN_IGNORED) != 0 { directories[wd] = nil }
                if !path.isEmpty && rules.isIgnored(path, isDirectory: isDirectory) { continue }
                if isDirectory && eventMask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { try? add(path) }
                changed.append(path)
            }
        }
        #endif
        return changed
    }
}
