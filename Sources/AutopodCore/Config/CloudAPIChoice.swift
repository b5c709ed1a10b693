import AutopodSupport
import FoundationEssentials

/// Which of RunPod's APIs autopod speaks: config.json's `api`, or `AUTOPOD_API`.
public enum CloudAPIChoice: String, Codable, Sendable, CaseIterable {
    /// REST v2 for everything it covers, GraphQL only for what v2 lacks, and only while
    /// GraphQL still answers (RunPod retires it in early 2027).
    case auto
    /// REST v2 only.
    case rest
    /// GraphQL only, as autopod did before REST v2.
    case graphql

    /// Reads `auto`, `rest` or `graphql` in any case (also `rest-v2`, `v2`).
    public init?(text: String) {
        let word = text.trimmingSpaces().lowercased()
        switch word {
        case "auto": self = .auto
        case "rest", "rest-v2", "restv2", "v2": self = .rest
        case "graphql": self = .graphql
        default: return nil
        }
    }
}
