/// A file's attributes as SFTP version 3 carries them; a field the server left out is nil.
/// Times are seconds since the epoch, 32 bits on the wire (SFTP v3 has nothing finer).
public struct SFTPAttributes: Sendable, Equatable {
    public var size: UInt64?
    public var userID: UInt32?
    public var groupID: UInt32?
    /// The mode: the type bits (S_IFMT) and the permission bits, as stat(2) gives them.
    public var permissions: UInt32?
    public var accessTime: UInt32?
    public var modificationTime: UInt32?

    public init(
        size: UInt64? = nil, permissions: UInt32? = nil, accessTime: UInt32? = nil, modificationTime: UInt32? = nil
    ) {
        self.size = size
        self.permissions = permissions
        self.accessTime = accessTime
        self.modificationTime = modificationTime
    }

    enum Flag {
        static let size: UInt32 = 0x01
        static let uidGid: UInt32 = 0x02
        static let permissions: UInt32 = 0x04
        static let accessModificationTime: UInt32 = 0x08
        static let extended: UInt32 = 0x8000_0000
    }

    public var kind: SFTPFileKind { SFTPFileKind(mode: permissions) }

    /// The permission bits alone (rwx for user, group, other, and setuid/setgid/sticky).
    public var mode: UInt32? { permissions.map { $0 & 0o7777 } }
}

/// What a directory entry is, from the type bits of its mode.
public enum SFTPFileKind: Sendable, Equatable {
    case regular
    case directory
    case symlink
    /// A device, socket or pipe: copied by nobody, reported and skipped.
    case special(String)
    /// The server sent no mode.
    case unknown

    public init(mode: UInt32?) {
        guard let mode else {
            self = .unknown
            return
        }
        switch mode & 0o170000 {
        case 0o100000: self = .regular
        case 0o040000: self = .directory
        case 0o120000: self = .symlink
        case 0o020000: self = .special("character device")
        case 0o060000: self = .special("block device")
        case 0o010000: self = .special("named pipe")
        case 0o140000: self = .special("socket")
        default: self = .unknown
        }
    }
}
