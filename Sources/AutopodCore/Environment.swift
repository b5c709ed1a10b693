import AutopodSupport

/// The environment variables autopod reads. The process's own are read one at a time with
/// getenv: building ProcessInfo's dictionary of all of them cost about 1M instructions, a
/// tenth of what `autopod list` does in all. Tests give a dictionary instead.
public struct Environment: Sendable, ExpressibleByDictionaryLiteral {
    /// nil: the process's environment.
    private let values: [String: String]?

    public static let process = Environment(values: nil)

    private init(values: [String: String]?) { self.values = values }

    public init(_ values: [String: String]) { self.values = values }

    public init(dictionaryLiteral elements: (String, String)...) {
        values = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    public subscript(name: String) -> String? {
        if let values { return values[name] }
        return getenv(name).map { String(cString: $0) }
    }
}
