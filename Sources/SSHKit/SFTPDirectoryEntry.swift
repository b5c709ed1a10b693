public struct SFTPDirectoryEntry: Sendable, Equatable {
    public let name: String
    public let attributes: SFTPAttributes
}
