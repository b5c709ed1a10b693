import AutopodSupport

/// A size as people write it: `67108864`, `512K`, `64M`, `1G` (also `64MiB`, `64MB`). The
/// suffixes are binary (M is 1024 × 1024), as memory sizes usually are.
public struct ByteSize: Sendable, Equatable, CustomStringConvertible {
    public let bytes: Int

    public init(bytes: Int) {
        self.bytes = bytes
    }

    /// Nil for anything else: a fraction, a negative number, an unknown suffix, an overflow.
    public init?(_ text: String) {
        var digits = text[...].trimmingSpaces()
        var scale = 1
        for (suffix, value) in [("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)] {
            for spelled in [suffix + "iB", suffix + "B", suffix] {
                if digits.uppercased().hasSuffix(spelled.uppercased()) {
                    digits = digits.dropLast(spelled.count)
                    scale = value
                    break
                }
            }
            if scale != 1 { break }
        }
        if scale == 1 && digits.uppercased().hasSuffix("B") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let number = Int(digits) else { return nil }
        let (product, overflow) = number.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        bytes = product
    }

    /// The largest whole unit that fits: "64 MiB", "1536 KiB", "100 bytes".
    public var description: String {
        for (unit, value) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where bytes >= value && bytes % value == 0 {
            return "\(bytes / value) \(unit)"
        }
        return "\(bytes) bytes"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
