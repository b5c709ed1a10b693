import AutopodSupport
import ArgumentParser
import AutopodCore
import FoundationEssentials

/// `autopod logs POD`: the pod's own log, streamed from RunPod. `autopod logs` (or `--self`):
/// autopod's own log, as before pods had logs, for when something went wrong. Not a
/// `PodCommand`: autopod's own log needs no config and no key.
struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", _superCommandName: "autopod", abstract: "Show a pod's log, or autopod's own log.",
        discussion: """
            With a pod: its container's output (or, with --system, RunPod's messages about it: \
            image pull, start, stop), the last lines first; -f keeps following new lines, across \
            dropped connections, until Ctrl+C. Pod logs come from RunPod's REST v2 API.

            Without a pod, or with --self: autopod's own log (AUTOPOD_HOME/logs/autopod.log).
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: OutputOptions

    /// Left out, autopod's own log is meant (not the one running pod, as elsewhere).
    @Argument(help: ArgumentHelp("Pod id, name, or a unique prefix of either. Leave out for autopod's own log.", valueName: "pod"))
    var pod: String?

    @Flag(name: .customLong("self"), help: "Show autopod's own log (what `autopod logs` shows without a pod).")
    var ownLog = false

    @Option(
        name: [.customShort("n"), .customLong("tail"), .customLong("lines")], parsing: .unconditional,
        help: "How many of the last lines to show first (autopod's log: 50; a pod's: RunPod's 100, at most 5000).")
    var lines: Int?

    @Option(help: "A pod's lines since a time: 10m, 2h, 1h30m ago, or a UTC time like 2027-01-05T14:00:00Z.")
    var since: String?

    @Flag(help: "A pod's system log (RunPod's lifecycle messages) instead of its container's output.")
    var system = false

    @Flag(name: .shortAndLong, help: "Keep printing new lines as they are written (Ctrl+C stops).")
    var follow = false

    func validate() throws {
        if let lines, lines < 0 { throw ValidationError("-n must be 0 or more") }
        if ownLog && pod != nil { throw ValidationError("--self shows autopod's own log; leave out the pod, or leave out --self") }
        if pod == nil && (system || since != nil) {
            throw ValidationError("--system and --since are for a pod's log: name the pod (`autopod logs POD`)")
        }
        if let since, Self.sinceDate(since, now: Date()) == nil {
            throw ValidationError("--since takes a duration such as 10m or 2h, or a UTC time such as 2027-01-05T14:00:00Z, not \(since)")
        }
    }

    func run() throws {
        guard let pod else { return try showOwnLog() }
        let context = try CommandContext.make(global: global)
        let view = try context.pod(pod, includeTerminated: true)
        let request = PodLogRequest(
            source: system ? .system : .container, tail: lines, since: since.flatMap { Self.sinceDate($0, now: Date()) },
            follow: follow)
        // Ctrl+C (or SIGTERM/SIGHUP) ends the stream between chunks and the command exits 130.
        let stop = LockedValue(false)
        let sources = TerminationSignals.handle { _ in stop.set(true) }
        defer { TerminationSignals.release(sources) }
        let json = output.json
        let show: (PodLogLine) -> Void = { line in
            if json {
                var fields: [String: JSONValue] = ["line": .string(line.text)]
                if let timestamp = line.timestamp { fields["ts"] = .string(timestamp) }
                if let source = line.source { fields["source"] = .string(source) }
                StandardStream.output.write(JSONValue.object(fields).serialized() + "\n")
            } else {
                StandardStream.output.write(line.text + "\n")
            }
        }
        try context.provider.podLogs(id: view.record.id, request: request, cancelled: { stop.current }, onLine: show)
        if stop.current { throw ExitCode(130) }
    }

    /// `10m` ago, or a UTC timestamp.
    static func sinceDate(_ text: String, now: Date) -> Date? {
        if let date = ISO8601Timestamp.parse(text.trimmingSpaces()) { return date }
        return WaitDuration.parse(text).map { now.addingTimeInterval(-$0) }
    }

    /// autopod's own log: the last lines, then (with -f) what is appended, across rotations.
    private func showOwnLog() throws {
        let url = AutopodPaths.fromEnvironment().log
        guard let data = FileReader.bytes(atPath: url.path) else {
            if !follow {
                StandardStream.error.write("no log yet at \(url.path)\n")
                return
            }
            throw CLIFailure("no log at \(url.path) to follow; run an autopod command first")
        }
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let body = all.last == "" ? all.dropLast() : all[...]
        let tail = body.suffix(lines ?? 50).map { $0 + "\n" }.joined()
        StandardStream.output.write(tail)
        guard follow else { return }
        var offset = UInt64(data.count)
        while true {
            Sleep.for(.milliseconds(250))
            // A rotation replaces the file: start again from the top of the new one.
            let size = FileReader.size(atPath: url.path) ?? 0
            if size < offset { offset = 0 }
            guard size > offset, let chunk = FileReader.bytes(atPath: url.path, from: offset) else { continue }
            offset += UInt64(chunk.count)
            chunk.withUnsafeBytes { StandardStream.output.write($0) }
        }
    }
}
