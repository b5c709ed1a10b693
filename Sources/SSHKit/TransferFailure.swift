/// One item that could not be copied, and why (the path is in `reason`).
public struct TransferFailure: Sendable, Equatable {
    public let path: String
    public let reason: String
    public let kind: SFTPError.Kind

    public init(path: String, reason: String, kind: SFTPError.Kind) {
        self.path = path
        self.reason = reason
        self.kind = kind
    }
}
