import SSHKit

/// Turns paths as written after `POD:` into paths on the pod: empty is the pod's /workspace
/// (RunPod's volume; the login's home on an image without one), relative paths are under it,
/// `~/...` is under the home, and shell wildcards are expanded by listing the pod's directories.
public struct RemotePaths {
    public let base: String
    private let home: String?
    /// `base`'s attributes when finding it asked for them (saves a round trip later).
    public private(set) var baseAttributes: SFTPAttributes?

    public static let workspace = "/workspace"

    /// The attributes of `path` on the pod, following links: from `known` (asked ahead in a
    /// batch) when it is there, or asked now.
    static func attributes(of path: String, known: [String: SFTPAttributes?], client: SFTPClient) throws(SFTPError) -> SFTPAttributes? {
        if let answered = known[path] { return answered }
        return try client.attributes(path, followLinks: true)
    }

    /// Asks the pod only what the written paths need (one or two round trips), and nothing it
    /// answered already (`known`: attributes found by following links, nil for nothing there).
    public init(client: SFTPClient, for written: [String], known: [String: SFTPAttributes?] = [:]) throws(SFTPError) {
        let needsBase = written.contains { !$0.hasPrefix("/") && !$0.hasPrefix("~") }
        let needsHome = written.contains { $0.hasPrefix("~") }
        var home: String?
        if needsHome || needsBase {
            let workspace = needsBase ? try Self.attributes(of: Self.workspace, known: known, client: client) : nil
            if workspace?.kind == .directory {
                base = Self.workspace
                baseAttributes = workspace
                if needsHome { home = try client.realPath(".") }
            } else {
                home = try client.realPath(".")
                base = needsBase ? home ?? "." : Self.workspace
            }
        } else {
            base = Self.workspace
        }
        self.home = home
    }

    public func resolve(_ written: String) -> String {
        if written.isEmpty { return base }
        if written == "~" { return home ?? "." }
        if written.hasPrefix("~/") { return PathText.join(home ?? ".", String(written.dropFirst(2))) }
        if written.hasPrefix("/") { return PathText.trimmed(written) }
        return PathText.trimmed(PathText.join(base, written))
    }

    /// The pod paths a written path names: itself, or every match of its wildcards (sorted;
    /// names starting with `.` only when the pattern's component does). Empty when nothing matches.
    public func expand(_ written: String, client: SFTPClient) throws(SFTPError) -> [String] {
        let path = resolve(written)
        guard GlobPattern.hasWildcards(path) else { return [path] }
        var prefixes = [path.hasPrefix("/") ? "/" : ""]
        for component in path.split(separator: "/").map(String.init) {
            guard GlobPattern.hasWildcards(component) else {
                prefixes = prefixes.map { PathText.join($0, component) }
                continue
            }
            let pattern = GlobPattern(component)
            var next: [String] = []
            for prefix in prefixes {
                let entries: [SFTPDirectoryEntry]
                do {
                    entries = try client.listDirectory(prefix.isEmpty ? "." : prefix)
                } catch  where error.kind == .noSuchFile || error.kind == .permissionDenied || error.kind == .failure {
                    continue
                }
                for entry in entries.sorted(by: { $0.name < $1.name }) where pattern.matches(name: entry.name) {
                    if entry.name.hasPrefix(".") && !component.hasPrefix(".") { continue }
                    next.append(PathText.join(prefix, entry.name))
                }
            }
            prefixes = next
            if prefixes.isEmpty { break }
        }
        return prefixes
    }
}
