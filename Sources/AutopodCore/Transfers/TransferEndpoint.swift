/// One side of `autopod cp` or `sync`, as scp spells it: `POD:PATH` is on a pod (the name
/// before the first colon has no `/`; `./a:b` is a local file), anything else is local.
public enum TransferEndpoint: Sendable, Equatable {
    case local(String)
    /// `path` as written: empty for `POD:` (the pod's /workspace), relative to /workspace,
    /// absolute, or `~/...` for the login's home.
    case pod(String, path: String)

    public init(parsing argument: String) {
        if let colon = argument.firstIndex(of: ":") {
            let pod = argument[..<colon]
            if !pod.isEmpty && !pod.contains("/") {
                self = .pod(String(pod), path: String(argument[argument.index(after: colon)...]))
                return
            }
        }
        self = .local(argument)
    }

    public var isPod: Bool {
        if case .pod = self { return true }
        return false
    }

    public var podReference: String? {
        if case .pod(let pod, _) = self { return pod }
        return nil
    }

    /// The path as the user wrote it.
    public var path: String {
        switch self {
        case .local(let path): return path
        case .pod(_, let path): return path
        }
    }

    /// Whether the user wrote a trailing `/` (a directory is meant).
    public var namesDirectory: Bool { path.hasSuffix("/") || (isPod && path.isEmpty) }
}
