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

    public var description: String { "\(port)/\(kind.rawValue)" }

    /// Parses `8888/http,22/tcp`, or says what is wrong with it.
    public static func parseList(_ text: String) -> Result<[PortSpec], PortSpecError> {
        var specs: [PortSpec] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.trimmingSpaces().split(separator: "/")
            guard parts.count == 2, let port = Int(parts[0]), (1...65535).contains(port),
                let kind = Kind(rawValue: parts[1].lowercased())
            else {
                return .failure(PortSpecError(text: String(item)))
            }
            specs.append(PortSpec(port: port, kind: kind))
        }
        return .success(specs)
    }
}

public struct PortSpecError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String { "\"\(text)\" is not PORT/http or PORT/tcp (for example 8888/http,22/tcp)" }
}
