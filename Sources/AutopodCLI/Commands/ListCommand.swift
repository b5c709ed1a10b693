import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod list`: every pod, what it is doing and what it has cost.
struct ListCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
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
            StandardStream.error.write("warning: RunPod could not be reached (\(offline)); showing the pods as autopod last saw them\n")
        }
        if output.json {
            JSONOutput.write(json: .array(views.map { PodJSON($0).json }))
            return
        }
        guard !views.isEmpty else {
            print("No pods\(all ? "" : " running or stopped"). Start one with `autopod connect`.")
            return
        }
        var table = Table([
            .init("NAME"), .init("ID"), .init("GPU"), .init("STATUS"), .init("RUNTIME", .right), .init("$/HR", .right),
            .init("COST", .right),
        ])
        for view in views {
            table.add([
                view.record.name + (view.record.createdByAutopod ? "" : Style.dim(" (external)")),
                view.record.id, Format.gpu(view.record), Style.status(view.status.rawValue),
                Format.duration(view.runningSeconds), Format.perHour(view.record.pricePerHour), Format.dollars(view.cost),
            ])
        }
        print(table.render())
        for view in views {
            if let note = view.guardNote { print(Style.warn("\(view.record.name): \(note)")) }
        }
        let running = views.filter { $0.status == .running || $0.status == .starting }
        let burn = running.reduce(0) { $0 + $1.record.pricePerHour }
        let total = views.reduce(0) { $0 + $1.cost }
        print(Style.dim("\(running.count) running · $\(burn.fixed(3))/hr now · \(Format.dollars(total)) so far"))
    }
}
