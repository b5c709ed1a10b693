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
