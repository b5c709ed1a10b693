import AutopodCore
import FoundationEssentials

/// `--json` for stop, start and kill: what was done, and the pod afterwards.
struct StatusChange: Encodable {
    let action: String
    let pod: PodJSON
    let status: String

    /// Writes the change to `record`, as the pod is now.
    static func write(_ action: String, _ record: PodRecord, status: String) throws {
        try JSONOutput.write(StatusChange(action: action, pod: PodJSON(PodView(record: record, remote: nil, now: Date())), status: status))
    }

    /// After `stop` or `kill` (`action`, leaving the pod in `status`): ssh_config's entry for the
    /// pod follows its new state, and the user reads the change, as JSON with `json`, else as
    /// `✓ <done> NAME after 2h 5m running, $1.20 in all.`. Returns whether that line was written.
    @discardableResult
    static func reportEnded(
        _ action: String, _ record: PodRecord, status: String, done: String, context: CommandContext, json: Bool
    ) throws -> Bool {
        context.openSSHEntries.refresh(changed: record.id)
        if json {
            try write(action, record, status: status)
            return false
        }
        let ended = PodView(record: record, remote: nil, now: Date())
        Output.done(
            Style.ok("✓") + " \(done) \(record.name.terminalSafe) after \(Format.duration(ended.runningSeconds)) running, \(Format.costs(ended.costs)) in all.")
        return true
    }
}
