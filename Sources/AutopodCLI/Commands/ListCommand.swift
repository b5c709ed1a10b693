import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod list`: every pod, what it is doing and what it has cost.
struct ListCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        _superCommandName: "autopod",
        abstract: "List your pods with status, runtime, price and cost so far.",
        discussion: """
            Reads the account and brings autopod's records in line: a pod gone from the account \
            is marked terminated, and a pod autopod did not create is shown and marked external. \
            Cost is the price at creation times the running time autopod measured.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Flag(help: "Include terminated pods.")
    var all = false

    /// A list is read often, and what autopod recorded is worth more than a long wait.
    var readBudget: Duration? { StaleData.readBudget }

    func run(_ context: CommandContext) throws {
        var views: [PodView]
        var offline: String?
        do {
            views = try context.manager.refresh(includeTerminated: all)
        } catch ProviderError.transient(let message, _) {
            // RunPod cannot be reached: what autopod recorded is still worth seeing, since those
            // pods may be billing.
            views = try context.manager.recordedViews(includeTerminated: all)
            offline = message
        }
        views.sort { $0.record.createdAt < $1.record.createdAt }
        if let offline {
            StandardStream.error.write("warning: RunPod could not be reached (\(offline.terminalSafe)); showing the pods as autopod last saw them\n")
        }
        if output.json {
            JSONOutput.write(json: .array(views.map { StaleData.mark(PodJSON($0).json, stale: offline != nil) }))
            return
        }
        guard !views.isEmpty else {
            print("No pods\(all ? "" : " running or stopped"). Start one with `autopod connect`.")
            return
        }
        // The column is there when the cloud reports utilisation at all (REST v2 does in its list).
        let showsUtil = views.contains { $0.remote?.utilization != nil }
        var columns: [Table.Column] = [.init("NAME"), .init("ID"), .init("GPU"), .init("STATUS")]
        if showsUtil { columns.append(.init("GPU UTIL", .right)) }
        columns += [.init("RUNTIME", .right), .init("$/HR", .right), .init("STORAGE", .right), .init("COST", .right)]
        var table = Table(columns)
        for view in views {
            var row = [
                view.record.name.terminalSafe + (view.record.createdByAutopod ? "" : Style.dim(" (external)")),
                view.record.id.terminalSafe,
                Format.gpu(view.record) + (view.record.spotBid.map { Style.dim(" spot@\(Format.perGPUHour($0))") } ?? ""),
                Style.status(view.status.rawValue),
            ]
            if showsUtil { row.append(Format.percent(view.status == .running ? view.remote?.utilization?.meanGPUUtil : nil)) }
            row += [
                Format.duration(view.runningSeconds), Format.perHour(view.record.pricePerHour), Format.dollars(view.costs.storage),
                Format.dollars(view.cost),
            ]
            table.add(row)
        }
        print(table.render())
        if offline != nil { print(Style.warn(StaleData.tableLine)) }
        for view in views {
            if let note = view.guardNote { print(Style.warn("\(view.record.name): \(note)")) }
        }
        let running = views.filter { $0.status == .running || $0.status == .starting }
        let burn = running.reduce(0) { $0 + $1.record.pricePerHour }
        let total = views.reduce(0) { $0 + $1.cost }
        print(Style.dim("\(running.count) running · $\(burn.fixed(3))/hr now · \(Format.dollars(total)) so far"))
        if let waiting = ListFooter.stoppedLine(views) { print(Style.dim(waiting)) }
        // One more call, for people only: scripts that poll `list --json` do not pay for it.
        if offline == nil, let volumes = try? context.manager.provider.networkVolumes(), let line = VolumeFooter.line(volumes) {
            print(Style.dim(line))
        }
        if offline == nil, let spend = try? context.manager.provider.accountSpend() {
            print(Style.dim(ListFooter.balanceLine(spend)))
        }
    }
}
