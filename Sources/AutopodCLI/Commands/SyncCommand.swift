import ArgumentParser
import AutopodCore
import AutopodSupport
import FoundationEssentials
import SSHKit

/// `autopod sync SRC DST`: make a directory on one side like the other, moving only what changed.
struct SyncCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        _superCommandName: "autopod",
        abstract: "Make a pod directory match a local one, or the other way (only changes move).",
        discussion: """
            One side is a local directory, the other POD:PATH (POD: alone is /workspace). The \
            contents of SRC are copied into DST: new files and files whose size or modification \
            time differ (or, with --checksum, whose contents differ). The pod side is listed \
            once for the whole tree. Uploads leave out what .gitignore and .autopodignore files \
            in the local tree exclude, and --exclude patterns (same syntax) apply both ways.

              autopod sync ./project mypod:project
              autopod sync ./project mypod:project --watch      # re-sync on every local change
              autopod sync mypod:outputs ./outputs --delete
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var transfer: TransferOptions

    @Argument(help: "The directory to copy from (local, or POD:PATH).")
    var source: String

    @Argument(help: "The directory to make like it (POD:PATH, or local).")
    var destination: String

    @Flag(help: "Remove files in DST that SRC does not have (excluded ones are kept).")
    var delete = false

    @Flag(help: "Compare contents (SHA-256 on each side) instead of size and modification time.")
    var checksum = false

    @Option(name: .customLong("exclude"), help: "Leave out paths matching PATTERN (gitignore syntax; repeatable).")
    var excludes: [String] = []

    @Flag(name: .customLong("no-ignore-files"), help: "Upload what .gitignore and .autopodignore exclude too.")
    var noIgnoreFiles = false

    @Flag(help: "List what would change, change nothing.")
    var dryRun = false

    @Flag(help: "After syncing, keep watching SRC and sync again within a second of each change (uploads).")
    var watch = false

    @Flag(help: "Print a JSON summary on stdout.")
    var json = false

    func validate() throws {
        let (request, _) = try makeRequest()
        if watch && request.direction == .download {
            throw ValidationError("--watch watches a local directory: use it as `autopod sync LOCAL POD:PATH --watch`")
        }
        if watch && dryRun { throw ValidationError("--watch and --dry-run do not go together") }
    }

    private func makeRequest() throws -> (SyncRequest, pod: String) {
        let from = TransferEndpoint(parsing: source)
        let to = TransferEndpoint(parsing: destination)
        guard from.isPod != to.isPod, let pod = from.podReference ?? to.podReference else {
            throw ValidationError("one side must be local and the other on a pod (POD:PATH)")
        }
        let request = SyncRequest(
            source: from, destination: to, delete: delete, checksum: checksum, excludes: excludes,
            useIgnoreFiles: !noIgnoreFiles, dryRun: dryRun)
        return (request, pod)
    }

    func run(_ context: CommandContext) throws {
        let (request, podReference) = try makeRequest()
        let (view, session) = try transfer.session(to: podReference, context: context)
        let progressView = TransferProgressView(label: "sync", quiet: global.quiet || json || dryRun)
        session.events = { progressView.event($0) }
        let signals = CancelOnSignal()
        signals.install { [cancellation = session.cancellation] in cancellation.cancel() }
        let operation = SyncOperation(request: request, session: session)
        operation.progress = { progressView.update($0) }

        var result = try pass(operation, progressView, pod: view.record)
        guard watch, !result.interrupted else { return try finish(result) }

        let localRoot = PathText.trimmed(request.source.path)
        let rules = LocalTree.walk(localRoot, rules: IgnoreRules(excludes: excludes), readIgnoreFiles: !noIgnoreFiles).rules
        let watcher: FileWatcher
        do {
            watcher = try FileWatcher(root: localRoot, rules: rules)
        } catch {
            throw CLIFailure("\(error)")
        }
        if !global.quiet && !json {
            StandardStream.error.write(Style.dim("watching \(localRoot) for changes (Ctrl+C stops)") + "\n")
        }
        while true {
            do {
                guard try waitForChange(watcher, session: session) else { break }
            } catch {
                throw TransferOutput.explain(error, pod: view.record.name)
            }
            result = try pass(operation, progressView, pod: view.record)
            if result.interrupted { break }
        }
        throw ExitCode(130)
    }

    /// Waits (keeping the connection alive) until a change that is not ignored, then a short
    /// quiet spell so an editor's burst of writes makes one sync. False when interrupted.
    private func waitForChange(_ watcher: FileWatcher, session: PodFileSession) throws -> Bool {
        while true {
            if session.isCancelled { return false }
            let fired: Bool
            do {
                fired = try session.run { (client: SFTPClient) throws(SFTPError) in try client.wait(forReadable: watcher.fd, timeout: .seconds(30)) }
            } catch let error as SFTPError where error.kind == .cancelled {
                return false
            }
            guard fired, !watcher.changes().isEmpty else { continue }
            var settle = 0
            while settle < 5 {
                let more = try session.run { (client: SFTPClient) throws(SFTPError) in try client.wait(forReadable: watcher.fd, timeout: .milliseconds(100)) }
                if !more { break }
                _ = watcher.changes()
                settle += 1
            }
            return true
        }
    }

    private func pass(_ operation: SyncOperation, _ progressView: TransferProgressView, pod: PodRecord) throws -> SyncResult {
        let result: SyncResult
        do {
            result = try operation.run()
        } catch {
            progressView.clear()
            throw TransferOutput.explain(error, pod: pod.name)
        }
        progressView.clear()
        report(result, pod: pod)
        return result
    }

    private func report(_ result: SyncResult, pod: PodRecord) {
        if json {
            JSONOutput.write(json: Self.json(result, pod: pod))
            return
        }
        if dryRun {
            for change in result.changes {
                let mark = change.kind == .new ? "new    " : change.kind == .updated ? "update " : "delete "
                StandardStream.output.write(mark + change.path + (change.isDirectory ? "/" : "") + "\n")
            }
        }
        let failed = !result.failures.isEmpty
        if !global.quiet || failed || result.interrupted {
            StandardStream.error.write(Self.summary(result, watching: watch) + "\n")
        }
        for line in TransferOutput.detailLines(failures: result.failures, notes: global.quiet ? [] : result.notes) {
            StandardStream.error.write(line + "\n")
        }
    }

    private func finish(_ result: SyncResult) throws {
        let status = TransferOutput.status(interrupted: result.interrupted, failed: !result.failures.isEmpty)
        if status != 0 { throw ExitCode(status) }
    }

    static func summary(_ result: SyncResult, watching: Bool) -> String {
        let count = { (kind: SyncChange.Kind) in result.changes.filter { $0.kind == kind && !$0.isDirectory }.count }
        let directories = result.changes.filter { $0.kind == .new && $0.isDirectory }.count
        var parts: [String] = []
        let verb = result.dryRun ? "would copy" : "copied"
        parts.append("\(verb) \(ByteText.count(count(.new))) new and \(ByteText.count(count(.updated))) changed")
        if directories > 0 { parts.append("\(ByteText.count(directories)) new directories") }
        let deleted = result.changes.filter { $0.kind == .deleted }.count
        if deleted > 0 { parts.append("\(result.dryRun ? "would delete" : "deleted") \(ByteText.count(deleted))") }
        parts.append("\(ByteText.count(result.unchanged)) unchanged")
        if !result.dryRun {
            parts.append("sent \(ByteText.size(result.bytesTransferred)) in \(result.seconds.fixed(2)) s")
        }
        if let reconnects = result.transfer?.reconnects, reconnects > 0 { parts.append("\(reconnects) reconnects") }
        if !result.failures.isEmpty { parts.append("\(result.failures.count) failed") }
        var text = "sync: " + parts.joined(separator: ", ")
        if watching {
            let now = CivilTime(Date())
            text = "\(now.hour.zeroPadded(2)):\(now.minute.zeroPadded(2)):\(now.second.zeroPadded(2)) " + text
        }
        if result.interrupted { text = "interrupted: " + text + "; run it again to finish" }
        return text
    }

    static func json(_ result: SyncResult, pod: PodRecord) -> JSONValue {
        let count = { (kind: SyncChange.Kind) in TransferOutput.number(result.changes.filter { $0.kind == kind && !$0.isDirectory }.count) }
        return .object([
            "pod": .string(pod.name), "podId": .string(pod.id), "dryRun": .bool(result.dryRun),
            "new": count(.new), "updated": count(.updated),
            "newDirectories": TransferOutput.number(result.changes.filter { $0.kind == .new && $0.isDirectory }.count),
            "deleted": TransferOutput.number(result.changes.filter { $0.kind == .deleted }.count),
            "unchanged": TransferOutput.number(result.unchanged),
            "bytesTransferred": TransferOutput.number(result.bytesTransferred),
            "seconds": .number((result.seconds * 1000).rounded() / 1000), "interrupted": .bool(result.interrupted),
            "changes": .array(result.changes.map { .object(["kind": .string($0.kind.rawValue), "path": .string($0.path + ($0.isDirectory ? "/" : ""))]) }),
            "failures": .array(result.failures.map { .object(["path": .string($0.path), "reason": .string($0.reason)]) }),
        ])
    }
}
