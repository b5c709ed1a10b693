/// One thing for `SFTPClient.transfer` to copy, with what the caller already knows about both
/// ends (from one listing of each tree), so the engine spends no round trip finding out.
public struct TransferItem: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file
        case directory
        case symlink(target: String)
        /// A device, socket or pipe: not copied, reported with this description.
        case special(String)
    }

    /// What is at a destination path before the copy.
    public enum Existing: Sendable, Equatable {
        /// Not known: the engine looks (one pipelined lstat).
        case unknown
        case absent
        case present(SFTPAttributes)
    }

    public var kind: Kind
    /// Absolute (or session-relative) path on the source side.
    public var source: String
    public var destination: String
    public var size: UInt64
    /// Permission bits (0o7777).
    public var mode: UInt32
    /// Seconds since the epoch.
    public var modificationTime: Int64
    public var accessTime: Int64
    public var existing: Existing
    /// The partial file a previous, interrupted copy left (see `TransferItem.partialPath`).
    public var partial: Existing

    public init(
        kind: Kind, source: String, destination: String, size: UInt64 = 0, mode: UInt32 = 0o644,
        modificationTime: Int64 = 0, accessTime: Int64 = 0, existing: Existing = .unknown, partial: Existing = .unknown
    ) {
        self.kind = kind
        self.source = source
        self.destination = destination
        self.size = size
        self.mode = mode
        self.modificationTime = modificationTime
        self.accessTime = accessTime
        self.existing = existing
        self.partial = partial
    }

    /// Where a file is written until it is complete: `.NAME.autopod-part` beside it, so a half
    /// copy is never taken for the file, and a rerun finds it to resume.
    public static func partialPath(for destination: String) -> String {
        let slash = destination.lastIndex(of: "/")
        let directory = slash.map { String(destination[...$0]) } ?? ""
        let name = slash.map { String(destination[destination.index(after: $0)...]) } ?? destination
        return directory + "." + name + partialSuffix
    }

    public static let partialSuffix = ".autopod-part"

    /// The file a partial file is for (the inverse of `partialPath`).
    public static func finalPath(ofPartial path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard isPartialName(name) else { return path }
        return directory + String(name.dropFirst().dropLast(partialSuffix.count))
    }

    /// Whether a file name is one of autopod's partial files.
    public static func isPartialName(_ name: String) -> Bool {
        name.hasPrefix(".") && name.hasSuffix(partialSuffix)
    }
}
