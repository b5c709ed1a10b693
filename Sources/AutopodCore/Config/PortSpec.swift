import AutopodSupport
import FoundationEssentials

/// One exposed port in RunPod's `8888/http` form.
public struct PortSpec: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable { case http, tcp }
    public let port: Int
    public let kind: Kind

    public init(port: Int, kind: Kind) {
        self.port = port
        self.kind = kind
    }

    /// The port every pod must expose: autopod reaches pods over SSH.
    public static let ssh = PortSpec(port: 22, kind: .tcp)

    public var description: String { "\(port)/\(kind.rawValue)" }

    /// Reads one `8888/http` (or `22/tcp`); nil when it is not that form.
    public init?(_ text: String) {
        let parts = text.trimmingSpaces().split(separator: "/")
        guard parts.count == 2, let port = Int(parts[0]), (1...65535).contains(port),
            let kind = Kind(rawValue: parts[1].lowercased())
        else { return nil }
        self.init(port: port, kind: kind)
    }

    /// Parses `8888/http,22/tcp`, or says what is wrong with it.
    public static func parseList(_ text: String) -> Result<[PortSpec], PortSpecError> {
        var specs: [PortSpec] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard let spec = PortSpec(String(item)) else { return .failure(PortSpecError(text: String(item))) }
            specs.append(spec)
        }
        return .success(specs)
    }

    /// The list in RunPod's form, as `parseList` reads it.
    public static func list(_ specs: [PortSpec]) -> String { specs.map(\.description).joined(separator: ",") }
}

public struct PortSpecError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String { "\"\(text)\" is not PORT/http or PORT/tcp (for example 8888/http,22/tcp)" }
}
