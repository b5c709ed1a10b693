import AutopodSupport
import SSHKit

/// Tells `sync --watch` that something under a local directory changed, through a file
/// descriptor that becomes readable (so the wait shares a poll() with the SSH connection).
/// Every directory of the tree is watched, except ignored ones; new directories are watched as
/// they appear. Changes to ignored paths are dropped here, so they cause no sync.
public final class FileWatcher {
    public let root: String
    private let rules: IgnoreRules
    private let monitor: DirectoryChangeMonitor
    private var directories: [Int32: String] = [:]

    public var fd: Int32 { monitor.fd }

    public init(root: String, rules: IgnoreRules) throws(DirectoryChangeMonitor.Failure) {
        self.root = root
        self.rules = rules
        monitor = try DirectoryChangeMonitor()
        try add("")
    }

    /// Watches `relative` and every directory below it that is not ignored.
    private func add(_ relative: String) throws(DirectoryChangeMonitor.Failure) {
        let tree = LocalTree.walk(PathText.join(root, relative))
        var list = [relative]
        for entry in tree.entries where entry.info.kind == .directory {
            let path = relative.isEmpty ? entry.relativePath : relative + "/" + entry.relativePath
            if !isIgnoredOrInsideIgnored(path) { list.append(path) }
        }
        for path in list {
            do {
                directories[try monitor.watch(PathText.join(root, path))] = path
            } catch {
                // A directory that went away meanwhile needs no watch; running out of watches does.
                if error.description.contains("too many") { throw error }
            }
        }
    }

    private func isIgnoredOrInsideIgnored(_ path: String) -> Bool {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix = prefix.isEmpty ? String(component) : prefix + "/" + component
            if rules.isIgnored(prefix, isDirectory: true) { return true }
        }
        return false
    }

    /// The relative paths that changed since the last call and are not ignored.
    public func changes() -> [String] {
        var changed: [String] = []
        for event in monitor.events() {
            guard let directory = directories[event.watch] else { continue }
            if event.watchEnded { directories[event.watch] = nil }
            let path = event.name.isEmpty ? directory : (directory.isEmpty ? event.name : directory + "/" + event.name)
            if !path.isEmpty && rules.isIgnored(path, isDirectory: event.isDirectory) { continue }
            if event.isDirectory && event.appeared { try? add(path) }
            changed.append(path)
        }
        return changed
    }
}
