import ArgumentParser
import AutopodCore
import AutopodSupport
import SSHKit

/// `autopod cp SRC... DST`: files to and from a pod, scp-like, over autopod's own SFTP.
struct CpCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp",
        _superCommandName: "autopod",
        abstract: "Copy files to or from a pod (resumable, over SFTP).",
        discussion: """
            The pod side is POD:PATH, where POD is a pod's id, name or a unique prefix; POD: alone \
            is the pod's /workspace, and relative paths are under it. Wildcards on the pod side are \
            expanded on the pod (quote them from your shell). Modes and modification times are \
            kept; symbolic links are copied as links; devices, sockets and pipes are skipped with a note.

            An interrupted copy (Ctrl+C, a dropped link, a restarted pod) continues where it \
            stopped when run again: files are written under a temporary name (.NAME.autopod-part) \
            and renamed when complete, and what is already there is checked by size, time and a \
            hash of its end. A link that drops mid-copy is re-made by itself.

              autopod cp -r ./data mypod:            # to /workspace/data
              autopod cp mypod:checkpoints/last.pt .
              autopod cp 'mypod:logs/*.txt' ./logs/
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var transfer: TransferOptions

    @Flag(name: .shortAndLong, help: "Copy directories and everything in them.")
    var recursive = false

    @Flag(name: .short, help: "Keep modification times (the default; accepted as scp has it).")
    var preserve = false

    @Flag(name: .customLong("no-preserve"), help: "Do not keep modification times (modes are kept).")
    var noPreserve = false

    @Flag(help: "Print a JSON summary on stdout instead of progress and a summary line.")
    var json = false

    @Argument(help: "SRC... DST: local paths and POD:PATH; one side must be a pod.")
    var paths: [String] = []

    func validate() throws {
        _ = try Self.request(paths, recursive: recursive, preserveTimes: !noPreserve)
    }

    /// Checks the command line's shape: at least one source, exactly one side on a pod.
    static func request(_ paths: [String], recursive: Bool, preserveTimes: Bool) throws -> (CopyRequest, pod: String) {
        guard paths.count >= 2 else { throw ValidationError("give at least one source and a destination, e.g. autopod cp ./data mypod:") }
        let endpoints = paths.map(TransferEndpoint.init(parsing:))
        let destination = endpoints.last!
        let sources = Array(endpoints.dropLast())
        let pods = Set(endpoints.compactMap(\.podReference))
        guard pods.count == 1, let pod = pods.first else {
            if pods.isEmpty { throw ValidationError("one side must be on a pod (POD:PATH); for local copies use cp") }
            throw ValidationError("copy between two pods is not supported; copy to this machine first")
        }
        if destination.isPod {
            guard sources.allSatisfy({ !$0.isPod }) else { throw ValidationError("when DST is on a pod, every SRC must be local") }
        } else {
            guard sources.allSatisfy(\.isPod) else { throw ValidationError("when DST is local, every SRC must be on the pod (POD:PATH)") }
        }
        return (CopyRequest(sources: sources, destination: destination, recursive: recursive, preserveTimes: preserveTimes), pod)
    }

    func run(_ context: CommandContext) throws {
        let (request, podReference) = try Self.request(paths, recursive: recursive, preserveTimes: !noPreserve)
        let (view, session) = try transfer.session(to: podReference, context: context)
        let progressView = TransferProgressView(label: "cp", quiet: global.quiet || json)
        session.events = { progressView.event($0) }
        let signals = CancelOnSignal()
        signals.install { [cancellation = session.cancellation] in cancellation.cancel() }

        let operation = CopyOperation(request: request, session: session)
        operation.progress = { progressView.update($0) }
        let result: TransferResult
        do {
            result = try operation.run()
        } catch {
            progressView.clear()
            throw TransferOutput.explain(error, pod: view.record.name)
        }
        progressView.clear()
        if json {
            JSONOutput.write(json: TransferOutput.json(result, pod: view.record))
        } else {
            let failed = !result.failures.isEmpty
            if !global.quiet || failed || result.interrupted {
                StandardStream.error.write(TransferOutput.summary(result, pod: view.record.name) + "\n")
            }
            for line in TransferOutput.detailLines(failures: result.failures, notes: global.quiet ? [] : result.report.notes) {
                StandardStream.error.write(line + "\n")
            }
        }
        let status = TransferOutput.status(interrupted: result.interrupted, failed: !result.failures.isEmpty)
        if status != 0 { throw ExitCode(status) }
    }
}
