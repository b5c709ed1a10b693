/// What `walk` found.
public struct SFTPTree: Sendable {
    /// Parents before their children.
    public var entries: [SFTPTreeEntry]
    /// Directories whose contents could not be listed, with the reason.
    public var unreadable: [SFTPError]
}

public struct SFTPTreeEntry: Sendable, Equatable {
    /// Relative to the walk's root, `/`-separated.
    public let relativePath: String
    public let attributes: SFTPAttributes
}
