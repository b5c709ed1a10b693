import AutopodSupport
import FoundationEssentials

/// One configured forward: `8888` (the pod's 8888 on localhost:8888) or `LOCAL:REMOTE`
/// (`18888:8888`, for when the local port is wanted by something else). Saved as a number when
/// both ports are the same, so configs written before `LOCAL:REMOTE` existed read unchanged.
public struct ConfigForward: Sendable, Hashable, Codable, CustomStringConvertible, ExpressibleByIntegerLiteral {
    public var localPort: Int
    public var remotePort: Int

    public static let portRange = 1...65535

    public init(localPort: Int, remotePort: Int) {
        self.localPort = localPort
        self.remotePort = remotePort
    }

    public init(integerLiteral port: Int) {
        self.init(localPort: port, remotePort: port)
    }

    /// Reads `8888` or `18888:8888` (the shape only: `isValid` checks the ranges, so a flag can
    /// say which number is out of range).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let ports = parts.compactMap { Int(String($0).trimmingSpaces()) }
        guard (1...2).contains(parts.count), ports.count == parts.count else { return nil }
        self.init(localPort: ports[0], remotePort: ports[ports.count - 1])
    }

    public var isValid: Bool { Self.portRange.contains(localPort) && Self.portRange.contains(remotePort) }

    /// `8888` or `18888:8888`, as `init?(_:)` reads it back.
    public var description: String { localPort == remotePort ? "\(localPort)" : "\(localPort):\(remotePort)" }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let port = try? container.decode(Int.self) {
            self.init(integerLiteral: port)
        } else if let forward = ConfigForward(try container.decode(String.self)) {
            self = forward
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not PORT or LOCAL:REMOTE")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if localPort == remotePort { try container.encode(localPort) } else { try container.encode(description) }
    }
}
