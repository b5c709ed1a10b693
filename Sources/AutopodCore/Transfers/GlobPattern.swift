/// A shell wildcard pattern as `.gitignore`, `--exclude` and pod-side globs (`POD:data/*.bin`)
/// write it: `*` and `?` within one path component, `[abc]`, `[!a-z]` and `[^a-z]` classes,
/// `\` to quote the next character, and `**` as a whole component for any number of
/// components (`a/**/b` matches `a/b` and `a/x/y/b`).
public struct GlobPattern: Sendable, Equatable {
    let components: [[UInt8]]

    public init(_ text: String) {
        components = text.split(separator: "/", omittingEmptySubsequences: true).map { Array($0.utf8) }
    }

    /// Whether any character of `text` makes it a pattern rather than a plain name.
    public static func hasWildcards(_ text: String) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    /// Matches a whole `/`-separated relative path.
    public func matches(path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { Array($0.utf8) }
        return Self.match(components[...], parts[...])
    }

    /// Matches one path component against a one-component pattern.
    public func matches(name: String) -> Bool {
        components.count == 1 && Self.matchComponent(components[0][...], Array(name.utf8)[...])
    }

    private static let doubleStar = Array("**".utf8)

    private static func match(_ pattern: ArraySlice<[UInt8]>, _ path: ArraySlice<[UInt8]>) -> Bool {
        guard let first = pattern.first else { return path.isEmpty }
        if first == doubleStar {
            let rest = pattern.dropFirst()
            var tail = path
            while true {
                if match(rest, tail) { return true }
                if tail.isEmpty { return false }
                tail = tail.dropFirst()
            }
        }
        guard let name = path.first, matchComponent(first[...], name[...]) else { return false }
        return match(pattern.dropFirst(), path.dropFirst())
    }

    /// fnmatch(3) for one component, iteratively with one backtrack point per `*`.
    static func matchComponent(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex
        var n = name.startIndex
        var starP: Int?
        var starN = name.startIndex
        while n < name.endIndex {
            if p < pattern.endIndex {
                let c = pattern[p]
                if c == UInt8(ascii: "*") {
                    starP = p
                    starN = n
                    p += 1
                    continue
                }
                if c == UInt8(ascii: "?") {
                    p += 1
                    n += 1
                    continue
                }
                if c == UInt8(ascii: "["), let (matched, next) = matchClass(pattern, p, name[n]) {
                    if matched {
                        p = next
                        n += 1
                        continue
                    }
                } else {
                    var literal = c
                    var next = p + 1
                    if c == UInt8(ascii: "\\"), next < pattern.endIndex {
                        literal = pattern[next]
                        next += 1
                    }
                    if literal == name[n] {
                        p = next
                        n += 1
                        continue
                    }
                }
            }
            guard let star = starP else { return false }
            p = star + 1
            starN += 1
            n = starN
        }
        while p < pattern.endIndex && pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }

    /// A `[...]` class at `start`: whether `c` is in it and where the pattern goes on; nil when
    /// the bracket is not closed (then it is a literal `[`).
    private static func matchClass(_ pattern: ArraySlice<UInt8>, _ start: Int, _ c: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negated = false
        if i < pattern.endIndex && (pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^")) {
            negated = true
            i += 1
        }
        var matched = false
        var first = true
        while i < pattern.endIndex {
            var low = pattern[i]
            if low == UInt8(ascii: "]") && !first { return (matched != negated, i + 1) }
            first = false
            if low == UInt8(ascii: "\\") && i + 1 < pattern.endIndex {
                i += 1
                low = pattern[i]
            }
            var high = low
            if i + 2 < pattern.endIndex && pattern[i + 1] == UInt8(ascii: "-") && pattern[i + 2] != UInt8(ascii: "]") {
                high = pattern[i + 2]
                i += 2
            }
            if c >= low && c <= high { matched = true }
            i += 1
        }
        return nil
    }
}
