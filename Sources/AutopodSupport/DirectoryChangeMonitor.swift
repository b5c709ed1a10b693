/// The platform's way of hearing about changes in directories, behind one small interface:
/// inotify on Linux. `fd` becomes readable when there is news, so a caller can wait for it in
/// the same poll() as its sockets. Other platforms (FSEvents on macOS) are not written yet:
/// `init` says so.
public final class DirectoryChangeMonitor {
    /// One change: which watched directory, the name in it (empty for the directory itself).
    public struct Event: Sendable, Equatable {
        public let watch: Int32
        public let name: String
        public let isDirectory: Bool
        /// Created in, or moved into, the directory.
        public let appeared: Bool
        /// The watch is gone (the directory was removed).
        public let watchEnded: Bool
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let fd: Int32

    public init() throws(Failure) {
        #if os(Linux)
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            throw Failure(description: "cannot watch for file changes: \(Posix.errorString()) (raise fs.inotify.max_user_instances?)")
        }
        #else
        throw Failure(description: "watching for file changes is not written for this platform yet (Linux has inotify)")
        #endif
    }

    deinit {
        close(fd)
    }

    /// Starts watching one directory (not its subdirectories); returns the watch's id.
    public func watch(_ directory: String) throws(Failure) -> Int32 {
        #if os(Linux)
        let mask = UInt32(IN_CREATE | IN_DELETE | IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_DELETE_SELF)
        let wd = inotify_add_watch(fd, directory, mask)
        if wd < 0 {
            if errno == ENOSPC {
                throw Failure(description: "too many directories to watch (raise fs.inotify.max_user_watches, or exclude some)")
            }
            throw Failure(description: "cannot watch \(directory): \(Posix.errorString())")
        }
        return wd
        #else
        throw Failure(description: "watching for file changes is not written for this platform yet")
        #endif
    }

    /// Everything that happened since the last call (nothing blocks).
    public func events() -> [Event] {
        var found: [Event] = []
        #if os(Linux)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let header = MemoryLayout<inotify_event>.size
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            var offset = 0
            while offset + header <= n {
                let event = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: inotify_event.self) }
                let length = Int(event.len)
                let nameBytes = buffer[(offset + header)..<min(n, offset + header + length)].prefix { $0 != 0 }
                offset += header + length
                found.append(
                    Event(
                        watch: event.wd, name: String(decoding: nameBytes, as: UTF8.self),
                        isDirectory: event.mask & UInt32(IN_ISDIR) != 0,
                        appeared: event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0,
                        watchEnded: event.mask & UInt32(IN_IGNORED) != 0))
            }
        }
        #endif
        return found
    }
}
