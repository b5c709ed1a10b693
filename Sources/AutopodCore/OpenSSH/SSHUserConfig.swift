import AutopodSupport
import FoundationEssentials

/// The one line autopod adds to the user's `~/.ssh/config`: an `Include` of its own file, at the
/// top (OpenSSH takes the first value it finds, and an Include after a `Host` line would only
/// apply inside that block). Every other byte of the user's file stays as it was.
public enum SSHUserConfig {
    public static let marker = "# Added by autopod: its pods' Host entries (autopod ssh-config --write)."

    public static func includeLine(_ path: String) -> String {
        "Include " + SSHConfigEntries.configValue(path)
    }

    /// Whether `text` already includes `path` (as autopod writes it, anywhere in the file).
    public static func includes(_ text: String, path: String) -> Bool {
        let wanted = includeLine(path)
        return text.split(separator: "\n", omittingEmptySubsequences: false).contains { $0.trimmingSpaces() == wanted }
    }

    /// `text` with the Include line (and a comment saying who added it) in front of it.
    public static func addingInclude(to text: String, path: String) -> String {
        if includes(text, path: path) { return text }
        return marker + "\n" + includeLine(path) + "\n" + (text.isEmpty ? "" : "\n") + text
    }
}
