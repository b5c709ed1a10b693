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
