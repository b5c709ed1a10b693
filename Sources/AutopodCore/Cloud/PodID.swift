import AutopodSupport

/// RunPod's pod ids are short lowercase alphanumerics (`abc123xyz45678`). Every id from the API
/// is checked here where it is parsed, because ids become known_hosts fields and file names: an
/// id with a newline could write a second known_hosts entry, and `../x` a file outside the home.
public enum PodID {
    public static let maxLength = 64

    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maxLength
            && id.utf8.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// The id as it may be shown: quoted, with control characters escaped.
    public static func quoted(_ id: String) -> String {
        String(reflecting: String(id.prefix(80)))
    }
}
