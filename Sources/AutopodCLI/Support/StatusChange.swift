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
}
