import AutopodCore
import AutopodSupport

/// What `list` and `info` show when RunPod cannot be reached or does not answer in time: the
/// pods as autopod last recorded them, marked so that neither a person nor a script takes them
/// for the account's present state.
enum StaleData {
    /// All of a read command's API requests together, retries included, before it falls back.
    static let readBudget: Duration = .seconds(6)

    static let tableLine = "stale: RunPod did not answer, so these are the pods as autopod last saw them, not as they are now"

    /// `"stale": true` in the pod's JSON when it comes from the records.
    static func mark(_ json: JSONValue, stale: Bool) -> JSONValue {
        guard stale, case .object(var fields) = json else { return json }
        fields["stale"] = .bool(true)
        return .object(fields)
    }
}
