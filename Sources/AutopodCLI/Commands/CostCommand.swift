import ArgumentParser
import AutopodCore
import AutopodSupport
import FoundationEssentials

/// `autopod cost`: what the pods cost over a window, GPUs and storage apart, beside RunPod's own
/// billing records where the API keeps them.
struct CostCommand: PodCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost",
        _superCommandName: "autopod",
        abstract: "Report what your pods cost (GPU and storage), checked against RunPod's billing.",
        discussion: """
            Counts from pods.json: each pod's GPUs at its price while it ran, its container disk \
            while it ran, and its volume at $0.10/GB/month running and $0.20/GB/month stopped until \
            it was terminated. Days are UTC days, as RunPod's billing buckets are. Where the API \
            keeps billing records (REST v2), RunPod's figure and the difference are shown beside \
            autopod's.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The days to count, today included: 7d, 2w.", valueName: "days"))
    var since: CostDays?

    @Flag(help: "Count from the first of this month (UTC).")
    var month = false

    @Option(help: "One line per pod or per day.")
    var by: CostReport.Grouping = .pod

    func validate() throws {
        if month && since != nil { throw ValidationError("--since and --month choose the same thing; give one of them") }
    }

    func run(_ context: CommandContext) throws {
        let manager = context.manager
        var views: [PodView]
        do {
            views = try manager.refresh(includeTerminated: true)
        } catch ProviderError.transient(let message, _) {
            StandardStream.error.write("warning: RunPod could not be reached (\(message)); counting the pods as autopod last saw them\n")
            views = try manager.recordedViews(includeTerminated: true)
        }
        let now = Date()
        let window = month ? CostWindow.month(now: now) : CostWindow.lastDays(since?.days ?? 30, now: now)
        var billing: [BillingRecord]?
        var billingProblem: String?
        do {
            billing = try manager.provider.billingRecords(from: window.start, to: window.end)
        } catch {
            billingProblem = error.description
        }
        let report = CostReport(records: views.map(\.record), billing: billing, from: window.start, to: window.end, by: by)
        // Network volumes bill whether or not a pod uses them; the pods' rows count only the
        // time a pod had one mounted.
        let volumes = try? manager.provider.networkVolumes()
        if output.json {
            JSONOutput.write(json: CostReportJSON.json(report, volumes: volumes))
            return
        }
        print(CostReportText.render(report, unavailable: billingProblem))
        if let volumes, let line = VolumeFooter.line(volumes) {
            print(Style.dim("now: " + line))
        }
    }
}

/// `--since`'s value: a number of days.
struct CostDays: ExpressibleByArgument {
    let days: Int

    init?(argument: String) {
        guard let days = CostWindow.days(in: argument) else { return nil }
        self.days = days
    }
}

extension CostReport.Grouping: ExpressibleByArgument {}
