import AutopodSupport

/// What lstat(2) says about a local path, in the terms of `SFTPAttributes`, so both ends of a
/// transfer compare alike.
public struct LocalFileInfo: Sendable, Equatable {
    public var kind: SFTPFileKind
    public var size: UInt64
    /// Permission bits (0o7777).
    public var mode: UInt32
    public var modificationTime: Int64
    public var accessTime: Int64
    public var device: UInt64
    public var inode: UInt64

    /// The path's own information (a link is not followed); nil when nothing is there.
    public static func lstat(_ path: String) throws(SFTPError) -> LocalFileInfo? {
        var st = stat()
        if Glibc.lstat(path, &st) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SFTPError.local("lstat", path, errno: errno)
        }
        return LocalFileInfo(st)
    }

    /// What a path leads to, following links; nil when nothing (or a dangling link) is there.
    public static func followingLinks(_ path: String) throws(SFTPError) -> LocalFileInfo? {
        var st = stat()
        if fstatat(AT_FDCWD, path, &st, 0) != 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw SFTPError.local("stat", path, errno: errno)
        }
        return LocalFileInfo(st)
    }

    /// The same for a name inside an open directory (fstatat, no path walk); the errno when
    /// it failed.
    public static func lstat(directory fd: Int32, name: String) -> (LocalFileInfo?, Int32) {
        var st = stat()
        if fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 { return (nil, errno) }
        return (LocalFileInfo(st), 0)
    }

    init(_ st: stat) {
        kind = SFTPFileKind(mode: UInt32(st.st_mode))
        size = UInt64(max(0, st.st_size))
        mode = UInt32(st.st_mode) & 0o7777
        modificationTime = st.modificationSeconds
        accessTime = st.accessSeconds
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }

    public var attributes: SFTPAttributes {
        var kindBits: UInt32 = 0
        switch kind {
        case .regular: kindBits = 0o100000
        case .directory: kindBits = 0o040000
        case .symlink: kindBits = 0o120000
        default: break
        }
        return SFTPAttributes(
            size: size, permissions: kindBits | mode, accessTime: UInt32(truncatingIfNeeded: accessTime),
            modificationTime: UInt32(truncatingIfNeeded: modificationTime))
    }

    /// The target of a symbolic link.
    public static func readLink(_ path: String) throws(SFTPError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        if n < 0 { throw SFTPError.local("readlink", path, errno: errno) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
