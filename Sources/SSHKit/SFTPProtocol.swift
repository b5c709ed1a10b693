/// SFTP version 3 (draft-ietf-secsh-filexfer-02), the version OpenSSH's sftp-server speaks:
/// message types, open flags and status codes as they travel on the wire.
enum SFTPProtocol {
    static let version: UInt32 = 3

    enum MessageType: UInt8 {
        case initialize = 1
        case version = 2
        case open = 3
        case close = 4
        case read = 5
        case write = 6
        case lstat = 7
        case fstat = 8
        case setstat = 9
        case fsetstat = 10
        case opendir = 11
        case readdir = 12
        case remove = 13
        case mkdir = 14
        case rmdir = 15
        case realpath = 16
        case stat = 17
        case rename = 18
        case readlink = 19
        case symlink = 20
        case status = 101
        case handle = 102
        case data = 103
        case name = 104
        case attrs = 105
        case extended = 200
        case extendedReply = 201
    }

    struct OpenFlags: OptionSet {
        let rawValue: UInt32
        static let read = OpenFlags(rawValue: 0x01)
        static let write = OpenFlags(rawValue: 0x02)
        static let append = OpenFlags(rawValue: 0x04)
        static let create = OpenFlags(rawValue: 0x08)
        static let truncate = OpenFlags(rawValue: 0x10)
        static let exclusive = OpenFlags(rawValue: 0x20)
    }

    enum Status: UInt32 {
        case ok = 0
        case eof = 1
        case noSuchFile = 2
        case permissionDenied = 3
        case failure = 4
        case badMessage = 5
        case noConnection = 6
        case connectionLost = 7
        case unsupported = 8
    }

    /// OpenSSH's extensions that autopod uses when the server offers them.
    enum Extension {
        /// rename(2) semantics: replaces an existing target atomically (plain RENAME refuses).
        static let posixRename = "posix-rename@openssh.com"
        /// The server's packet, read and write length limits and its open-handle limit.
        static let limits = "limits@openssh.com"
        static let fsync = "fsync@openssh.com"
    }
}

extension ByteQueue {
    func appendAttributes(_ attributes: SFTPAttributes) {
        var flags: UInt32 = 0
        if attributes.size != nil { flags |= SFTPAttributes.Flag.size }
        if attributes.userID != nil && attributes.groupID != nil { flags |= SFTPAttributes.Flag.uidGid }
        if attributes.permissions != nil { flags |= SFTPAttributes.Flag.permissions }
        if attributes.accessTime != nil && attributes.modificationTime != nil { flags |= SFTPAttributes.Flag.accessModificationTime }
        append(flags)
        if let size = attributes.size { append(size) }
        if let uid = attributes.userID, let gid = attributes.groupID {
            append(uid)
            append(gid)
        }
        if let permissions = attributes.permissions { append(permissions) }
        if let atime = attributes.accessTime, let mtime = attributes.modificationTime {
            append(atime)
            append(mtime)
        }
    }
}
