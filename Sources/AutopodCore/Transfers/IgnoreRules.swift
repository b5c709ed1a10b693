/// Which paths of a tree a sync leaves out: the rules of every `.gitignore` and
/// `.autopodignore` found in it (each applying below its own directory, as git reads them),
/// then `--exclude` patterns, which win over everything. The last rule that matches decides;
/// `!pattern` takes a path back in.
///
/// Pattern syntax is git's: no `/` matches a name at any depth, a leading or inner `/` anchors
/// it to the file's directory, a trailing `/` matches directories only, `**` spans components.
public struct IgnoreRules: Sendable {
    struct Rule: Sendable {
        let pattern: GlobPattern
        let negated: Bool
        let directoryOnly: Bool
        let anchored: Bool
    }

    /// Rule files by the relative directory they sit in ("" for the root).
    private var sets: [String: [Rule]] = [:]
    private var excludes: [Rule] = []

    /// The names of the files read from every directory of an upload.
    public static let fileNames = [".gitignore", ".autopodignore"]

    public init(excludes: [String] = []) {
        self.excludes = excludes.compactMap(Self.parse)
    }

    public var isEmpty: Bool { sets.isEmpty && excludes.isEmpty }

    /// Adds the rules of one ignore file found in `directory` (relative to the root).
    public mutating func add(file contents: String, in directory: String) {
        let rules = contents.split(separator: "\n", omittingEmptySubsequences: false).compactMap { Self.parse(String($0)) }
        if !rules.isEmpty { sets[directory, default: []] += rules }
    }

    /// Whether `path` (relative to the root, `/`-separated) is left out.
    public func isIgnored(_ path: String, isDirectory: Bool) -> Bool {
        if isEmpty { return false }
        var ignored = false
        let parts = path.split(separator: "/").map(String.init)
        var base = ""
        for depth in 0..<parts.count {
            if let rules = sets[base] {
                let subpath = parts[depth...].joined(separator: "/")
                for rule in rules where Self.matches(rule, subpath, isDirectory: isDirectory) { ignored = !rule.negated }
            }
            base = base.isEmpty ? parts[depth] : base + "/" + parts[depth]
        }
        for rule in excludes where Self.matches(rule, path, isDirectory: isDirectory) { ignored = !rule.negated }
        return ignored
    }

    private static func matches(_ rule: Rule, _ subpath: String, isDirectory: Bool) -> Bool {
        if rule.directoryOnly && !isDirectory { return false }
        if rule.anchored { return rule.pattern.matches(path: subpath) }
        let name = subpath.split(separator: "/").last.map(String.init) ?? subpath
        return rule.pattern.matches(name: name)
    }

    /// One line of an ignore file; nil for blanks and comments.
    static func parse(_ line: String) -> Rule? {
        var text = Substring(line)
        if text.hasSuffix("\r") { text = text.dropLast() }
        // Trailing spaces go, unless quoted with a backslash.
        while text.hasSuffix(" ") && !text.hasSuffix("\\ ") { text = text.dropLast() }
        if text.isEmpty || text.hasPrefix("#") { return nil }
        var negated = false
        if text.hasPrefix("!") {
            negated = true
            text = text.dropFirst()
        } else if text.hasPrefix("\\!") || text.hasPrefix("\\#") {
            text = text.dropFirst()
        }
        var directoryOnly = false
        while text.hasSuffix("/") {
            directoryOnly = true
            text = text.dropLast()
        }
        var anchored = text.contains("/")
        while text.hasPrefix("/") {
            anchored = true
            text = text.dropFirst()
        }
        if text.isEmpty { return nil }
        return Rule(pattern: GlobPattern(String(text)), negated: negated, directoryOnly: directoryOnly, anchored: anchored)
    }
}
