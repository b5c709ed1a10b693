/// What a transfer did, filled in as items finish (so it is meaningful after an interruption).
public struct TransferReport: Sendable {
    public enum Outcome: String, Sendable {
        /// Written (a file from its start or a resume point, a directory made, a link made).
        case copied
        /// Already complete at the destination (or a directory already there).
        case upToDate
        /// A device, socket or pipe: left out, with a note.
        case skipped
        case failed
    }

    /// Per item of the request, in its order; nil while not finished.
    public var outcomes: [Outcome?]
    /// File bytes sent or received.
    public var bytesTransferred: UInt64 = 0
    /// Bytes of partial files that were verified and kept instead of sent again.
    public var bytesResumed: UInt64 = 0
    /// Bytes of files found complete.
    public var bytesUpToDate: UInt64 = 0
    /// Files continued from a partial copy.
    public var filesResumed = 0
    public var failures: [TransferFailure] = []
    /// Things left out on purpose, one line each (special files).
    public var notes: [String] = []

    public init(count: Int) {
        outcomes = Array(repeating: nil, count: count)
    }

    public func count(_ outcome: Outcome) -> Int { outcomes.lazy.filter { $0 == outcome }.count }
}
