import SSHKit

/// `autopod cp SRC... DST`: what to copy, as the command line said it.
public struct CopyRequest: Sendable {
    public var sources: [TransferEndpoint]
    public var destination: TransferEndpoint
    public var recursive: Bool
    public var preserveTimes: Bool

    public init(sources: [TransferEndpoint], destination: TransferEndpoint, recursive: Bool, preserveTimes: Bool) {
        self.sources = sources
        self.destination = destination
        self.recursive = recursive
        self.preserveTimes = preserveTimes
    }

    public var direction: TransferDirection { destination.isPod ? .upload : .download }
}
