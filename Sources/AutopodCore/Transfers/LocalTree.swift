import AutopodSupport
import SSHKit

/// A local directory tree, listed once: every entry's relative path and lstat information,
/// parents before children. With `IgnoreRules`, each directory's `.gitignore` and
/// `.autopodignore` are read on the way down and ignored paths are neither listed nor entered.
public struct LocalTree: Sendable {
    public struct Entry: Sendable, Equatable {
        public let relativePath: String
        public let info: LocalFileInfo
    }

    public var entries: [Entry] = []
    /// Directories that could not be read, with the reason.
    public var unreadable: [(path: String, reason: String)] = []
    /// The rules in force at the end (the files found, plus the excludes), for the other side.
    public var rules: IgnoreRules

    /// Lists `root` (a directory). `readIgnoreFiles` adds the ignore files found to `rules`.
    public static func walk(_ root: String, rules: IgnoreRules = IgnoreRules(), readIgnoreFiles: Bool = false) -> LocalTree {
        var tree = LocalTree(rules: rules)
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = PathText.join(root, relative)
            guard let handle = opendir(directory) else {
                tree.unreadable.append((directory, Posix.errorString()))
                continue
            }
            defer { closedir(handle) }
            let fd = dirfd(handle)
            var names: [String] = []
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                names.append(name)
            }
            names.sort()
            if readIgnoreFiles {
                for name in IgnoreRules.fileNames where names.contains(name) {
                    if let bytes = FileReader.bytes(atPath: PathText.join(directory, name)) {
                        tree.rules.add(file: String(decoding: bytes, as: UTF8.self), in: relative)
                    }
                }
            }
            var subdirectories: [String] = []
            for name in names {
                let (info, error) = LocalFileInfo.lstat(directory: fd, name: name)
                let path = relative.isEmpty ? name : relative + "/" + name
                guard let info else {
                    tree.unreadable.append((PathText.join(directory, name), Posix.errorString(error)))
                    continue
                }
                let isDirectory = info.kind == .directory
                if tree.rules.isIgnored(path, isDirectory: isDirectory) { continue }
                tree.entries.append(Entry(relativePath: path, info: info))
                if isDirectory { subdirectories.append(path) }
            }
            pending += subdirectories.reversed()
        }
        return tree
    }
}
