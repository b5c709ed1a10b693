import AutopodSupport
/// One thing wrong with a configuration, named by its field (thrown on its own for a bad
/// environment variable).
public struct ConfigIssue: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let problem: String

    public var description: String { "\(field): \(problem)" }
}

/// The configuration file could not be used. The file is left exactly as it was.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unreadable(String)
        case syntax(line: Int?, detail: String)
        case invalid([ConfigIssue])
    }

    public let path: String
    public let reason: Reason

    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .unreadable(let detail):
            return "cannot read \(path): \(detail). Fix its permissions, or move it away and run `autopod config init`."
        case .syntax(let line, let detail):
            let at = line.map { " at line \($0)" } ?? ""
            return "\(path) is not valid JSON\(at): \(detail). Fix it by hand, or move it away and run `autopod config init`; autopod will not overwrite it."
        case .invalid(let issues):
            let list = issues.map { "  - \($0)" }.joined(separator: "\n")
            return "\(path) has \(issues.count) invalid setting\(issues.count == 1 ? "" : "s"):\n\(list)\nFix them by hand or run `autopod config init`; autopod will not overwrite the file."
        }
    }
}
