import ArgumentParser
import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `autopod recover POD`: brings a preempted spot pod back.
struct RecoverCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        _superCommandName: "autopod",
        abstract: "Bring a preempted spot pod back: bid for its machine again, else rent a new spot pod like it.",
        discussion: """
            First a bid resume on the pod's own machine (its volume comes back with it). When \
            that machine is taken, a new spot pod of the same GPU type, count and image, on the \
            same network volume when it has one (the old pod is then terminated: its data is on \
            the volume). Without a network volume the old pod is kept, stopped, with its volume. \
            Every attempt and its bid is shown and logged; after --limit attempts it gives up.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var pod: PodArgument
    @OptionGroup(title: "Recovery") var recovery: RecoveryOptions

    func run(_ context: CommandContext) throws {
        let view = try context.pod(pod.reference)
        let recovered = try recovery.recovery(context).recover(view.record) { event in
            StandardStream.error.write(RecoveryWords.line(event, podName: view.record.name) + "\n")
        }
        context.openSSHEntries.refresh(changed: view.record.id)
        let how = recovered.id == view.record.id ? "resumed" : "replaced by \(recovered.name.terminalSafe) (\(recovered.id.terminalSafe))"
        print(
            Style.ok("✓") + " \(view.record.name.terminalSafe) \(how), bidding \(Format.perGPUHour(recovered.spotBid)); "
                + "`autopod shell \(TerminalText.shellWord(recovered.name))` once it answers")
    }
}

/// `--recover-limit` and `--bid` for `recover` and `tunnel --recover`.
struct RecoveryOptions: ParsableArguments {
    @Option(
        name: .customLong("recover-limit"), parsing: .unconditional,
        help: ArgumentHelp("Recovery attempts before giving up (each: a bid resume, then a new spot pod).", valueName: "n"))
    var limit = 3

    @Option(
        name: .customLong("recover-bid"), parsing: .unconditional,
        help: ArgumentHelp("Bid per GPU per hour when recovering (default: the minimum then plus 10%).", valueName: "dollars"))
    var bid: Double?

    func validate() throws {
        try RangeCheck.require(limit, in: 1...100, flag: "--recover-limit")
        if let bid, !(bid > 0) { throw ValidationError("--recover-bid takes dollars per GPU per hour, more than 0") }
    }

    func recovery(_ context: CommandContext) throws -> SpotRecovery {
        var base = LaunchOptions(config: context.config)
        if let keyPath = context.config.sshKeyPath {
            base.env["PUBLIC_KEY"] = try LaunchOptions.publicKey(forPrivateKey: keyPath)
        }
        return SpotRecovery(manager: context.manager, base: base, limit: limit, bid: SpotBid(fixed: bid))
    }
}

/// A recovery step as a line of text.
enum RecoveryWords {
    static func line(_ event: SpotRecovery.Event, podName: String) -> String {
        switch event {
        case .resuming(let attempt, let limit, let bid):
            return "recover \(attempt)/\(limit): bidding \(Format.perGPUHour(bid)) to resume \(podName) on its machine"
        case .resumeRefused(let reason):
            return "  its machine is not free (\(reason.terminalSafe))"
        case .replacing(let attempt, let limit, let bid, let volume):
            return "recover \(attempt)/\(limit): renting a new spot pod like \(podName) at \(Format.perGPUHour(bid))"
                + (volume.map { " on network volume \($0.terminalSafe)" } ?? "")
        case .failed(let attempt, let reason):
            return "recover \(attempt): failed (\(reason.terminalSafe))"
        case .retired(let record):
            return "  \(record.name.terminalSafe) terminated: its data is on the network volume, which the new pod mounts"
        }
    }
}
