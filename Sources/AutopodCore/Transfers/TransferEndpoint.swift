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

/// Joins and tidies `/`-separated paths the way both ends of a copy need.
public enum PathText {
    public static func join(_ base: String, _ relative: String) -> String {
        if relative.isEmpty { return base }
        if base.isEmpty { return relative }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    /// Without trailing slashes (except a lone `/`).
    public static func trimmed(_ path: String) -> String {
        var text = Substring(path)
        while text.count > 1 && text.hasSuffix("/") { text = text.dropLast() }
        return String(text)
    }

    /// The last component of a path (`a/b/` gives `b`).
    public static func lastComponent(_ path: String) -> String {
        let trimmedPath = trimmed(path)
        guard let slash = trimmedPath.lastIndex(of: "/") else { return trimmedPath }
        let name = String(trimmedPath[trimmedPath.index(after: slash)...])
        return name.isEmpty ? trimmedPath : name
    }

    /// Everything before the last component (`.` when there is none).
    public static func parent(_ path: String) -> String {
        let trimmedPath = trimmed(path)
        guard let slash = trimmedPath.lastIndex(of: "/") else { return "." }
        if slash == trimmedPath.startIndex { return "/" }
        return String(trimmedPath[..<slash])
    }
}
