import AutopodSupport
import SSHKit

/// Plans a sync from one listing of each tree (the pod's in one pipelined walk), then
/// deletes, then copies the new and changed entries through `SFTPClient.transfer` (partial
/// files resume; a dropped link reconnects and the pass starts over from a fresh listing,
/// which sees what was already done).
public final class SyncOperation {
    public let request: SyncRequest
    public let session: PodFileSession
    public var progress: (TransferProgress) -> Void = { _ in }

    public init(request: SyncRequest, session: PodFileSession) {
        self.request = request
        self.session = session
    }

    /// One pass. Call again for another (`--watch`).
    public func run() throws -> SyncResult {
        let started = ContinuousClock.now
        var result = SyncResult(changes: [], unchanged: 0, transfer: nil, deleteFailures: [], notes: [], seconds: 0, dryRun: request.dryRun, interrupted: false)
        var transferredEarlier: UInt64 = 0
        do {
            try session.run { (client: SFTPClient) throws(SFTPError) in
                transferredEarlier += result.transfer?.report.bytesTransferred ?? 0
                result = try pass(client, started: started)
            }
        } catch let error as SFTPError where error.kind == .cancelled {
            result.interrupted = true
        }
        result.transfer?.report.bytesTransferred += transferredEarlier
        result.transfer?.reconnects = session.reconnects
        result.seconds = started.duration(to: .now).seconds
        return result
    }

    // MARK: One pass

    private struct Side {
        var entries: [String: SFTPAttributes] = [:]
        var order: [String] = []
        var links: [String: String] = [:]
        var exists = false
        var isDirectory = false
    }

    private func pass(_ client: SFTPClient, started: ContinuousClock.Instant) throws(SFTPError) -> SyncResult {
        let upload = request.direction == .upload
        let podEnd = upload ? request.destination : request.source
        let localRoot = PathText.trimmed(upload ? request.source.path : request.destination.path)
        let paths = try RemotePaths(client: client, for: [podEnd.path])
        let remoteRoot = paths.resolve(podEnd.path)

        var rules = IgnoreRules(excludes: request.excludes)
        var local = Side()
        if let info = try LocalFileInfo.followingLinks(localRoot) {
            local.exists = true
            local.isDirectory = info.kind == .directory
            if local.isDirectory {
                let tree = LocalTree.walk(localRoot, rules: rules, readIgnoreFiles: upload && request.useIgnoreFiles)
                rules = tree.rules
                for entry in tree.entries where !TransferItem.isPartialName(PathText.lastComponent(entry.relativePath)) {
                    local.entries[entry.relativePath] = entry.info.attributes
                    local.order.append(entry.relativePath)
                    if entry.info.kind == .symlink {
                        local.links[entry.relativePath] = try? LocalFileInfo.readLink(PathText.join(localRoot, entry.relativePath))
                    }
                }
            } else if upload {
                throw SFTPError(.failure, "\(localRoot): not a directory (sync copies a directory's contents; use `autopod cp` for a file)", path: localRoot)
            }
        } else if upload {
            throw SFTPError(.noSuchFile, "\(localRoot): no such directory", path: localRoot)
        }

        var remote = Side()
        var partials: [String: SFTPAttributes] = [:]
        let remoteRootAttributes = try client.attributes(remoteRoot, followLinks: true)
        if let attributes = remoteRootAttributes {
            remote.exists = true
            remote.isDirectory = attributes.kind == .directory
            guard remote.isDirectory else {
                throw SFTPError(.failure, "\(remoteRoot): not a directory on the pod", path: remoteRoot)
            }
            let frozenRules = rules
            let tree = try client.walk(remoteRoot) { !frozenRules.isIgnored($0, isDirectory: true) }
            for entry in tree.entries {
                if TransferItem.isPartialName(PathText.lastComponent(entry.relativePath)) {
                    partials[entry.relativePath] = entry.attributes
                    continue
                }
                if rules.isIgnored(entry.relativePath, isDirectory: entry.attributes.kind == .directory) { continue }
                remote.entries[entry.relativePath] = entry.attributes
                remote.order.append(entry.relativePath)
            }
            let linkPaths = remote.order.filter { remote.entries[$0]?.kind == .symlink }
            let targets = try client.readLinks(linkPaths.map { PathText.join(remoteRoot, $0) })
            for path in linkPaths { remote.links[path] = targets[PathText.join(remoteRoot, path)] }
        } else if !upload {
            throw SFTPError(.noSuchFile, "\(remoteRoot): no such directory on the pod", path: remoteRoot)
        }

        let source = upload ? local : remote
        let destination = upload ? remote : local
        let sourceRoot = upload ? localRoot : remoteRoot
        let destinationRoot = upload ? remoteRoot : localRoot
        var sameContent: Set<String> = []
        if request.checksum {
            sameContent = try compareContents(client, source: source, destination: destination, localRoot: localRoot, remoteRoot: remoteRoot)
        }

        var changes: [SyncChange] = []
        var items: [TransferItem] = []
        var unchanged = 0
        var removals: [String] = []
        if !destination.exists {
            // The destination directory itself.
            let mode = upload ? (try? LocalFileInfo.lstat(localRoot))??.mode : remoteRootAttributes?.mode
            var root = TransferItem(kind: .directory, source: sourceRoot, destination: destinationRoot, mode: mode ?? 0o755)
            root.existing = .absent
            items.append(root)
        }
        for path in source.order {
            guard let attributes = source.entries[path] else { continue }
            let there = destination.entries[path]
            var item = CopyOperation.item(
                for: attributes, source: PathText.join(sourceRoot, path), destination: PathText.join(destinationRoot, path),
                linkTarget: source.links[path])
            item.existing = there.map { .present($0) } ?? .absent
            item.partial = upload ? (partials[TransferItem.partialPath(for: path)].map { .present($0) } ?? .absent) : .unknown
            let kind = attributes.kind
            if let there, there.kind != kind && (there.kind == .directory || kind == .directory) {
                // A directory where a file belongs, or the other way round: only --delete may clear it.
                if request.delete {
                    removals.append(path)
                    item.existing = .absent
                } else {
                    items.append(item)
                    continue
                }
            }
            switch kind {
            case .directory:
                if there?.kind == .directory { continue }
                changes.append(SyncChange(kind: .new, path: path, isDirectory: true, size: 0))
                items.append(item)
            case .regular:
                if let there, there.kind == .regular, there.size == attributes.size,
                    request.checksum ? sameContent.contains(path) : there.modificationTime == attributes.modificationTime
                {
                    unchanged += 1
                    continue
                }
                changes.append(SyncChange(kind: there == nil ? .new : .updated, path: path, isDirectory: false, size: attributes.size ?? 0))
                items.append(item)
            case .symlink:
                if there?.kind == .symlink, destination.links[path] == source.links[path], source.links[path] != nil {
                    unchanged += 1
                    continue
                }
                changes.append(SyncChange(kind: there == nil ? .new : .updated, path: path, isDirectory: false, size: 0))
                items.append(item)
            default:
                items.append(item)
            }
        }

        if request.delete {
            for path in destination.order where source.entries[path] == nil {
                removals.append(path)
            }
        }
        var removedDirectories: [String] = []
        var removedFiles: [String] = []
        for path in removals {
            let isDirectory = destination.entries[path]?.kind == .directory
            changes.append(SyncChange(kind: .deleted, path: path, isDirectory: isDirectory, size: destination.entries[path]?.size ?? 0))
            if isDirectory { removedDirectories.append(path) } else { removedFiles.append(path) }
        }
        if request.delete && upload {
            // Partial files of files that are gone from the source would never be finished.
            for path in partials.keys where source.entries[TransferItem.finalPath(ofPartial: path)] == nil {
                removedFiles.append(path)
            }
        }

        var result = SyncResult(
            changes: changes, unchanged: unchanged, transfer: nil, deleteFailures: [], notes: [], seconds: 0, dryRun: request.dryRun,
            interrupted: false)
        if request.dryRun { return result }

        if !removedFiles.isEmpty || !removedDirectories.isEmpty {
            result.deleteFailures = try delete(
                client, files: removedFiles.map { PathText.join(destinationRoot, $0) },
                directories: removedDirectories.map { PathText.join(destinationRoot, $0) })
        }
        if !items.isEmpty {
            var options = TransferOptions()
            options.skipComplete = false
            var report = TransferReport(count: items.count)
            try client.transfer(items, direction: request.direction, options: options, report: &report, progress: progress)
            result.notes = report.notes
            result.transfer = TransferResult(
                direction: request.direction, items: items, report: report, problems: [], seconds: started.duration(to: .now).seconds,
                reconnects: session.reconnects, interrupted: false)
        }
        return result
    }

    private func delete(_ client: SFTPClient, files: [String], directories: [String]) throws(SFTPError) -> [TransferFailure] {
        if request.direction == .upload {
            return try client.removeAll(files: files, directories: directories).map {
                TransferFailure(path: $0.path ?? "", reason: $0.description, kind: $0.kind)
            }
        }
        var failures: [TransferFailure] = []
        for path in files where unlink(path) != 0 && errno != ENOENT {
            let error = SFTPError.local("remove", path, errno: errno)
            failures.append(TransferFailure(path: path, reason: error.description, kind: error.kind))
        }
        for path in directories.sorted(by: { $0.count > $1.count }) where rmdir(path) != 0 && errno != ENOENT {
            let error = SFTPError.local("rmdir", path, errno: errno)
            failures.append(TransferFailure(path: path, reason: error.description, kind: error.kind))
        }
        return failures
    }

    // MARK: --checksum

    /// The relative paths of regular files of equal size whose SHA-256 is the same on both
    /// sides: local files are hashed here, the pod's by `sha256sum` on the pod (one command for
    /// all of them, rather than reading every file over the link).
    private func compareContents(
        _ client: SFTPClient, source: Side, destination: Side, localRoot: String, remoteRoot: String
    ) throws(SFTPError) -> Set<String> {
        let candidates = source.order.filter { path in
            guard let a = source.entries[path], let b = destination.entries[path] else { return false }
            return a.kind == .regular && b.kind == .regular && a.size == b.size
        }
        guard !candidates.isEmpty else { return [] }
        var input: [UInt8] = []
        for path in candidates {
            input += Array(path.utf8)
            input.append(0)
        }
        let quoted = "'" + remoteRoot.replacing("'", with: "'\\''") + "'"
        let (status, output) = try client.runCommand("cd \(quoted) && xargs -0 sha256sum -z --", input: input)
        var remoteHashes: [String: String] = [:]
        for record in output.split(separator: 0) {
            guard record.count > 66, let space = record.firstIndex(of: UInt8(ascii: " ")) else { continue }
            let hash = String(decoding: record[record.startIndex..<space], as: UTF8.self)
            let path = String(decoding: record[(space + 2)...], as: UTF8.self)
            remoteHashes[path] = hash
        }
        if status != 0 && remoteHashes.isEmpty {
            throw SFTPError(.unsupported, "--checksum runs sha256sum on the pod, and it failed there (exit status \(status)); sync without --checksum compares size and time", path: remoteRoot)
        }
        var same: Set<String> = []
        for path in candidates {
            guard let theirs = remoteHashes[path], let ours = Self.localHash(PathText.join(localRoot, path)) else { continue }
            if theirs == ours { same.insert(path) }
        }
        return same
    }

    static func localHash(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let digest = SHA256Digest()
        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        return SHA256Digest.hex(digest.finish())
    }
}
