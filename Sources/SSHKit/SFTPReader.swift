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

    /// ATTRS: each field is there only when its flag is set, in this order.
    mutating func attributes() -> SFTPAttributes? {
        guard let flags = uint32() else { return nil }
        var short = false
        func field<T>(_ flag: UInt32, _ read: (inout SFTPReader) -> T?) -> T? {
            guard flags & flag != 0 else { return nil }
            let value = read(&self)
            if value == nil { short = true }
            return value
        }
        typealias Flag = SFTPAttributes.Flag
        var attributes = SFTPAttributes()
        attributes.size = field(Flag.size) { $0.uint64() }
        attributes.userID = field(Flag.uidGid) { $0.uint32() }
        attributes.groupID = field(Flag.uidGid) { $0.uint32() }
        attributes.permissions = field(Flag.permissions) { $0.uint32() }
        attributes.accessTime = field(Flag.accessModificationTime) { $0.uint32() }
        attributes.modificationTime = field(Flag.accessModificationTime) { $0.uint32() }
        guard !short else { return nil }
        if flags & Flag.extended != 0 {
            guard let count = uint32() else { return nil }
            for _ in 0..<count {
                guard stringBytes() != nil, stringBytes() != nil else { return nil }
            }
        }
        return attributes
    }
}
