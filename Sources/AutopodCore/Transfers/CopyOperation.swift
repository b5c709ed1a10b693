import AutopodSupport
import SSHKit

/// Plans and runs a copy over a `PodFileSession`: one listing per directory tree on each side,
/// then one `SFTPClient.transfer`. When the connection drops, the session reconnects and the
/// copy goes on with what is not finished (partial files resume).
public final class CopyOperation {
    public let request: CopyRequest
    public let session: PodFileSession
    /// Progress over the whole copy (earlier attempts included).
    public var progress: (TransferProgress) -> Void = { _ in }
    private var items: [TransferItem]?
    private var report = TransferReport(count: 0)
    private var problems: [TransferFailure] = []
    private var attempts = 0
    /// Remote attributes asked for ahead, all in one round trip, while planning (see `guessedUploadPaths`).
    private var known: [String: SFTPAttributes?] = [:]

    public init(request: CopyRequest, session: PodFileSession) {
        self.request = request
        self.session = session
    }

    public func run() throws -> TransferResult {
        let started = ContinuousClock.now
        var interrupted = false
        // A tree or several files go faster over several channels: open them all with the first
        // (or at once, on a session already connected).
        let manyFiles = request.recursive || request.sources.count > 1
        if manyFiles { session.sftpOptions.openAllChannelsAtStart = true }
        do {
            try session.run { (client: SFTPClient) throws(SFTPError) in
                attempts += 1
                if items == nil {
                    if manyFiles { client.openChannels() }
                    let planned = try plan(client)
                    items = planned
                    report = TransferReport(count: planned.count)
                }
                try transfer(client)
            }
        } catch let error as SFTPError where error.kind == .cancelled {
            interrupted = true
        }
        return TransferResult(
            direction: request.direction, items: items ?? [], report: report, problems: problems,
            seconds: started.duration(to: .now).seconds, reconnects: session.reconnects, interrupted: interrupted)
    }

    private func transfer(_ client: SFTPClient) throws(SFTPError) {
        guard var list = items else { return }
        if attempts > 1 {
            // The lost connection may have left anything half done: look again.
            for i in list.indices where report.outcomes[i] == nil {
                list[i].existing = .unknown
                list[i].partial = .unknown
            }
        }
        // Progress over the whole plan: what finished in earlier attempts plus this one's.
        var finishedBytes: UInt64 = 0
        var finishedFiles = 0
        var totalFiles = 0
        var totalBytes: UInt64 = 0
        for (item, outcome) in zip(list, report.outcomes) {
            if case .directory = item.kind { continue }
            totalFiles += 1
            if case .file = item.kind { totalBytes += item.size }
            if outcome != nil {
                finishedFiles += 1
                if case .file = item.kind, outcome != .failed { finishedBytes += item.size }
            }
        }
        var options = TransferOptions()
        options.preserveTimes = request.preserveTimes
        let sink = progress
        try client.transfer(list, direction: request.direction, options: options, report: &report) { step in
            var overall = step
            overall.bytesDone = min(totalBytes, finishedBytes + step.bytesDone)
            overall.bytesTotal = totalBytes
            overall.filesDone = finishedFiles + step.filesDone
            overall.filesTotal = totalFiles
            sink(overall)
        }
    }

    // MARK: Planning

    private func problem(_ path: String, _ reason: String, _ kind: SFTPError.Kind = .noSuchFile) {
        problems.append(TransferFailure(path: path, reason: reason, kind: kind))
    }

    private func plan(_ client: SFTPClient) throws(SFTPError) -> [TransferItem] {
        defer { known = [:] }
        return request.direction == .upload ? try planUpload(client) : try planDownload(client)
    }

    /// The attributes of `path` on the pod, following links: from the batch asked ahead, or asked now.
    private func remoteAttributes(_ path: String, client: SFTPClient) throws(SFTPError) -> SFTPAttributes? {
        try RemotePaths.attributes(of: path, known: known, client: client)
    }

    /// The pod paths an upload's plan asks about, guessed before knowing the pod's base: its
    /// /workspace, the destination under it, and where each directory source lands inside
    /// the destination. Asked together, they cost one round trip instead of one each; a wrong
    /// guess (a pod without /workspace, a destination that is a file) only asked for nothing.
    private func guessedUploadPaths() -> [String] {
        let written = request.destination.path
        guard !written.hasPrefix("~") else { return [] }
        var paths: [String] = []
        let destination: String
        if written.hasPrefix("/") {
            destination = PathText.trimmed(written)
        } else {
            paths.append(RemotePaths.workspace)
            destination = written.isEmpty ? RemotePaths.workspace : PathText.trimmed(PathText.join(RemotePaths.workspace, written))
        }
        if !paths.contains(destination) { paths.append(destination) }
        guard request.recursive else { return paths }
        for source in request.sources.prefix(64) {
            let path = PathText.trimmed(source.path)
            guard (try? LocalFileInfo.lstat(path))??.kind == .directory else { continue }
            paths.append(PathText.join(destination, PathText.lastComponent(path)))
        }
        return paths
    }

    private func planUpload(_ client: SFTPClient) throws(SFTPError) -> [TransferItem] {
        known = try client.knownAttributes(of: guessedUploadPaths(), followLinks: true)
        let paths = try RemotePaths(client: client, for: [request.destination.path], known: known)
        let destination = paths.resolve(request.destination.path)
        var destinationAttributes =
            destination == paths.base && paths.baseAttributes != nil
            ? paths.baseAttributes : try remoteAttributes(destination, client: client)
        if destinationAttributes == nil && request.destination.namesDirectory {
            // `POD:newdir/`: the user means a directory; make it (what was asked ahead is stale).
            known = [:]
            try client.makeDirectory(destination)
            destinationAttributes = try client.attributes(destination, followLinks: true)
        }
        let intoDirectory = destinationAttributes?.kind == .directory || request.sources.count > 1
        if request.sources.count > 1 && destinationAttributes?.kind != .directory {
            problem(destination, "\(destination): not a directory on the pod (several sources need one)", .failure)
            return []
        }
        var items: [TransferItem] = []
        for source in request.sources {
            let path = PathText.trimmed(source.path)
            let info: LocalFileInfo
            do {
                guard let found = try LocalFileInfo.lstat(path) else {
                    problem(path, "\(path): no such file or directory")
                    continue
                }
                info = found
            } catch {
                problem(path, error.description, error.kind)
                continue
            }
            let target = intoDirectory ? PathText.join(destination, PathText.lastComponent(path)) : destination
            switch info.kind {
            case .directory:
                guard request.recursive else {
                    problem(path, "\(path): is a directory (use -r to copy it)", .failure)
                    continue
                }
                try addLocalTree(path, info: info, target: target, client: client, into: &items)
            default:
                items.append(Self.item(for: info, source: path, destination: target))
            }
        }
        return items
    }

    /// A local directory and everything in it, with what is already on the pod (one listing).
    private func addLocalTree(
        _ root: String, info: LocalFileInfo, target: String, client: SFTPClient, into items: inout [TransferItem]
    ) throws(SFTPError) {
        let tree = LocalTree.walk(root)
        for (path, reason) in tree.unreadable { problem(path, "\(path): cannot be read: \(reason)", .localFile) }
        var remote: [String: SFTPAttributes] = [:]
        let targetAttributes = try remoteAttributes(target, client: client)
        if let targetAttributes {
            guard targetAttributes.kind == .directory else {
                problem(root, "\(target): exists on the pod and is not a directory", .failure)
                return
            }
            let listing = try client.walk(target)
            for entry in listing.entries { remote[entry.relativePath] = entry.attributes }
        }
        let known = targetAttributes != nil
        var rootItem = Self.item(for: info, source: root, destination: target)
        rootItem.existing = targetAttributes.map { .present($0) } ?? .absent
        items.append(rootItem)
        for entry in tree.entries where !TransferItem.isPartialName(PathText.lastComponent(entry.relativePath)) {
            var item = Self.item(for: entry.info, source: PathText.join(root, entry.relativePath), destination: PathText.join(target, entry.relativePath))
            if known {
                item.existing = remote[entry.relativePath].map { .present($0) } ?? .absent
                let partial = TransferItem.partialPath(for: entry.relativePath)
                item.partial = remote[partial].map { .present($0) } ?? .absent
            } else {
                item.existing = .absent
                item.partial = .absent
            }
            items.append(item)
        }
    }

    static func item(for info: LocalFileInfo, source: String, destination: String) -> TransferItem {
        let kind: TransferItem.Kind
        switch info.kind {
        case .directory: kind = .directory
        case .regular: kind = .file
        case .symlink: kind = .symlink(target: (try? LocalFileInfo.readLink(source)) ?? "")
        case .special(let what): kind = .special(what)
        case .unknown: kind = .special("file of unknown type")
        }
        return TransferItem(
            kind: kind, source: source, destination: destination, size: info.size, mode: info.mode,
            modificationTime: info.modificationTime, accessTime: info.accessTime)
    }

    static func item(for attributes: SFTPAttributes, source: String, destination: String, linkTarget: String? = nil) -> TransferItem {
        let kind: TransferItem.Kind
        switch attributes.kind {
        case .directory: kind = .directory
        case .regular: kind = .file
        case .symlink: kind = .symlink(target: linkTarget ?? "")
        case .special(let what): kind = .special(what)
        case .unknown: kind = .special("file of unknown type")
        }
        return TransferItem(
            kind: kind, source: source, destination: destination, size: attributes.size ?? 0, mode: attributes.mode ?? 0o644,
            modificationTime: Int64(attributes.modificationTime ?? 0), accessTime: Int64(attributes.accessTime ?? 0))
    }

    private func planDownload(_ client: SFTPClient) throws(SFTPError) -> [TransferItem] {
        let paths = try RemotePaths(client: client, for: request.sources.map(\.path))
        var sources: [String] = []
        for source in request.sources {
            let matches = try paths.expand(source.path, client: client)
            if matches.isEmpty { problem(paths.resolve(source.path), "\(paths.resolve(source.path)): no match on the pod") }
            sources += matches
        }
        let destination = PathText.trimmed(request.destination.path)
        var destinationInfo = try LocalFileInfo.followingLinks(destination)
        if destinationInfo == nil && request.destination.namesDirectory {
            if mkdir(destination, 0o755) != 0 { throw SFTPError.local("mkdir", destination, errno: errno) }
            destinationInfo = try LocalFileInfo.followingLinks(destination)
        }
        let intoDirectory = destinationInfo?.kind == .directory || sources.count > 1 || request.destination.namesDirectory
        if intoDirectory && destinationInfo?.kind != .directory {
            if sources.count > 1 || destinationInfo != nil {
                problem(destination, "\(destination): not a directory (several sources need one)", .failure)
                return []
            }
        }
        let attributes = try client.attributes(of: sources)
        let links = try client.readLinks(zip(sources, attributes).filter { $0.1?.kind == .symlink }.map(\.0))
        var items: [TransferItem] = []
        for (source, found) in zip(sources, attributes) {
            guard let found else {
                problem(source, "\(source): no such file or directory on the pod")
                continue
            }
            let target = intoDirectory && destinationInfo?.kind == .directory ? PathText.join(destination, PathText.lastComponent(source)) : destination
            if found.kind == .directory {
                guard request.recursive else {
                    problem(source, "\(source): is a directory (use -r to copy it)", .failure)
                    continue
                }
                let tree = try client.walk(source)
                for error in tree.unreadable { problem(error.path ?? source, error.description, error.kind) }
                let linkTargets = try client.readLinks(
                    tree.entries.filter { $0.attributes.kind == .symlink }.map { PathText.join(source, $0.relativePath) })
                items.append(Self.item(for: found, source: source, destination: target))
                for entry in tree.entries where !TransferItem.isPartialName(PathText.lastComponent(entry.relativePath)) {
                    let path = PathText.join(source, entry.relativePath)
                    items.append(Self.item(for: entry.attributes, source: path, destination: PathText.join(target, entry.relativePath), linkTarget: linkTargets[path]))
                }
            } else {
                items.append(Self.item(for: found, source: source, destination: target, linkTarget: links[source]))
            }
        }
        return items
    }
}
