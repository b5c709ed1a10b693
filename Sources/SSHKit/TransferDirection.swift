/// Which way a transfer goes: local to the server, or the server to local.
public enum TransferDirection: String, Sendable {
    case upload
    case download
}
