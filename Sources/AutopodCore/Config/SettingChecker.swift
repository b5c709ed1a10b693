import AutopodSupport
import FoundationEssentials

/// Checks a setting where it is given (a `config init` flag or a wizard answer), so that a value
/// `connect` would refuse later is never saved: GPU and region names against RunPod's live lists
/// when the API answers, and accepted with a warning when it does not.
public struct SettingChecker: Sendable {
    /// What a check found.
    public enum Outcome<Value: Sendable>: Sendable {
        /// The value as it is to be saved (a GPU name becomes its type id).
        case valid(Value)
        /// Why the value cannot be used.
        case invalid(String)
        /// RunPod could not be asked; the value is kept as given.
        case unchecked(Value, because: String)
    }

    private let provider: RunPodProvider?
    private let account: RunPodAccount?

    /// Checks against the account `config` names; without an API key, names are not checked.
    public init(config: AutopodConfig, environment: Environment) {
        guard let key = config.effectiveAPIKey(environment: environment), !key.isEmpty else {
            provider = nil
            account = nil
            return
        }
        LogSetup.redactor.add(secret: key)
        var client = GraphQLClient(baseURL: config.effectiveBaseURL(environment: environment), apiKey: key)
        client.timeout = .seconds(10)
        provider = RunPodProvider(client: client)
        account = RunPodAccount(client: client)
    }

    /// GPU names (`A40`, `4090`, a full id) as the type ids they stand for, or why one of them
    /// names no GPU or several.
    public func gpuTypes(_ names: [String], gpuCount: Int, cloud: CloudType) -> Outcome<[String]> {
        if let empty = names.first(where: { $0.trimmingSpaces().isEmpty }) {
            return .invalid("\"\(empty)\" is not a GPU type name")
        }
        guard let provider else { return .unchecked(names, because: "no API key is set") }
        let types: [GPUType]
        do {
            types = try provider.gpuTypes(gpuCount: gpuCount, cloud: cloud)
        } catch {
            return .unchecked(names, because: "RunPod did not answer (\(error))")
        }
        do {
            return .valid(try GPUNameResolver(types: types).resolveAll(names).map(\.id))
        } catch {
            return .invalid(error.description)
        }
    }

    /// A data centre id as RunPod spells it, or why it is not one.
    public func region(_ id: String) -> Outcome<String> {
        guard let account else { return .unchecked(id, because: "no API key is set") }
        let ids: [String]
        do {
            ids = try account.dataCenterIDs()
        } catch {
            return .unchecked(id, because: "RunPod did not answer (\(error))")
        }
        if let known = ids.first(where: { $0.lowercased() == id.lowercased() }) { return .valid(known) }
        return .invalid("no data centre is called \"\(id)\". Known: \(ids.sorted().joined(separator: ", ")), or 'any'")
    }

    /// Why the file at `path` cannot be autopod's SSH key, or nil when it can.
    public static func sshKeyProblem(_ path: String) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return "\(path) does not exist" }
        guard FileManager.default.contents(atPath: path) != nil else { return "\(path) cannot be read as a file" }
        switch SSHKeyFinder.kind(ofPrivateKeyAt: path) {
        case .ed25519, .ecdsa: return nil
        case .rsa: return "\(path) is an RSA key. \(DiscoveredKey.rsaExplanation)"
        case .dsa: return "\(path) is a DSA key, which no current sshd accepts; use an ed25519 key"
        case .unknown: return "\(path) is not an OpenSSH or PEM private key (ed25519 or ECDSA)"
        }
    }
}
