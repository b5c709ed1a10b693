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
