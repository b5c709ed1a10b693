/// Reads SFTP fields from a packet; every read checks the bounds and reports a short packet
/// as nil, which the caller turns into a protocol error.
struct SFTPReader {
    let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func byte() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func uint64() -> UInt64? {
        guard remaining >= 8 else { return nil }
        defer { offset += 8 }
        return UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// A string's bytes, in place (valid while `bytes` is).
    mutating func stringBytes() -> UnsafeRawBufferPointer? {
        guard let length = uint32(), Int(length) <= remaining else { return nil }
        defer { offset += Int(length) }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(length)])
    }

    mutating func string() -> String? {
        stringBytes().map { String(decoding: $0, as: UTF8.self) }
    }

    mutating func data() -> [UInt8]? {
        stringBytes().map { Array($0) }
    }

    mutating func attributes() -> SFTPAttributes? {
        guard let flags = uint32() else { return nil }
        var attributes = SFTPAttributes()
        if flags & SFTPAttributes.Flag.size != 0 {
            guard let size = uint64() else { return nil }
            attributes.size = size
        }
        if flags & SFTPAttributes.Flag.uidGid != 0 {
            guard let uid = uint32(), let gid = uint32() else { return nil }
            attributes.userID = uid
            attributes.groupID = gid
        }
        if flags & SFTPAttributes.Flag.permissions != 0 {
            guard let permissions = uint32() else { return nil }
            attributes.permissions = permissions
        }
        if flags & SFTPAttributes.Flag.accessModificationTime != 0 {
            guard let atime = uint32(), let mtime = uint32() else { return nil }
            attributes.accessTime = atime
            attributes.modificationTime = mtime
        }
        if flags & SFTPAttributes.Flag.extended != 0 {
            guard let count = uint32() else { return nil }
            for _ in 0..<count {
                guard stringBytes() != nil, stringBytes() != nil else { return nil }
            }
        }
        return attributes
    }
}
