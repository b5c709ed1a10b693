import AutopodSupport
/// The version autopod reports in `--version` and its User-Agent.
public enum AutopodVersion {
    public static let current = "0.1.0"
}
