import AutopodSupport
import FoundationEssentials

/// A private key found on disk, with the type read from its public half or its header.
public struct DiscoveredKey: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case ed25519, ecdsa, rsa, dsa, unknown
    }
    public let path: String
    public let kind: Kind

    /// libssh2 1.10 signs with ed25519 and ECDSA; RSA only with SHA-1, which OpenSSH 8.8+ refuses.
    public var isUsable: Bool { kind == .ed25519 || kind == .ecdsa }

    public init(path: String, kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public static let rsaExplanation =
        "RSA keys cannot be used: libssh2 1.10 signs RSA only with SHA-1 (ssh-rsa), which OpenSSH 8.8 and later, and so every current pod image, refuse. Use an ed25519 key instead: `autopod config init` can create one."
}

/// Looks for SSH keys in `~/.ssh`.
public struct SSHKeyFinder: Sendable {
    private let sshDirectory: URL

    public init(environment: Environment = .process) {
        sshDirectory = AutopodPaths.userHome(environment).appendingPathComponent(".ssh")
    }

    public init(sshDirectory: URL) { self.sshDirectory = sshDirectory }

    /// Private keys in `~/.ssh`, the conventional names first.
    public func discover() -> [DiscoveredKey] {
        let conventional = ["id_ed25519", "id_ecdsa", "id_rsa", "id_dsa"]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sshDirectory.path)) ?? []
        let others = names.filter { name in
            name.hasSuffix(".pub") && !conventional.contains(String(name.dropLast(4)))
        }.map { String($0.dropLast(4)) }.sorted()
        return (conventional + others).compactMap { name in
            let path = sshDirectory.appendingPathComponent(name).path
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            return DiscoveredKey(path: path, kind: Self.kind(ofPrivateKeyAt: path))
        }
    }

    /// The first ed25519 or ECDSA key, which is what `connect` uses unless told otherwise.
    public func preferredUsableKey() -> DiscoveredKey? { discover().first(where: \.isUsable) }

    /// Reads the type from `PATH.pub` when present, else from the private key's header.
    public static func kind(ofPrivateKeyAt path: String) -> DiscoveredKey.Kind {
        if let pub = try? String(contentsOfFile: path + ".pub", encoding: .utf8),
            let type = pub.split(separator: " ").first
        {
            return kind(ofKeyType: String(type))
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return .unknown }
        if text.contains("BEGIN RSA PRIVATE KEY") { return .rsa }
        if text.contains("BEGIN EC PRIVATE KEY") { return .ecdsa }
        if text.contains("BEGIN DSA PRIVATE KEY") { return .dsa }
        if text.contains("BEGIN OPENSSH PRIVATE KEY"), let type = OpenSSHKeyFile.publicKeyType(ofPrivateKeyText: text) {
            return kind(ofKeyType: type)
        }
        return .unknown
    }

    public static func kind(ofKeyType type: String) -> DiscoveredKey.Kind {
        switch type {
        case "ssh-ed25519": return .ed25519
        case _ where type.hasPrefix("ecdsa-sha2-"): return .ecdsa
        case "ssh-rsa": return .rsa
        case "ssh-dss": return .dsa
        default: return .unknown
        }
    }
}
