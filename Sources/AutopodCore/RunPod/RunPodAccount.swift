import AutopodSupport
import FoundationEssentials

/// The account-level calls autopod makes: checking a key and registering SSH public keys.
public struct RunPodAccount: Sendable {
    private let client: GraphQLClient

    public init(client: GraphQLClient) { self.client = client }

    /// Asks RunPod who the key belongs to; throws `.unauthorized` for a bad key.
    public func verifyKey() throws(RunPodAPIError) -> String {
        let data = try client.execute("query Myself { myself { id } }", policy: .standard)
        guard let id = data["myself"]["id"].stringValue else { throw .invalidResponse("no myself.id in the reply") }
        return id
    }

    /// The SSH public keys registered on the account, one per line.
    public func publicKeys() throws(RunPodAPIError) -> [String] {
        let data = try client.execute("query MyKeys { myself { id pubKey } }", policy: .standard)
        let text = data["myself"]["pubKey"].stringValue ?? ""
        return text.split(whereSeparator: \.isNewline).map { String($0.trimmingSpaces()) }.filter { !$0.isEmpty }
    }

    /// Adds `line` to the account's keys unless a key with the same blob is there already.
    /// RunPod replaces the whole list on update, so the current list is read first.
    /// Returns false when the key was already registered.
    @discardableResult
    public func register(publicKey line: String) throws(RunPodAPIError) -> Bool {
        let existing = try publicKeys()
        let blob = Self.blob(of: line)
        if existing.contains(where: { Self.blob(of: $0) == blob }) { return false }
        let combined = (existing + [line]).joined(separator: "\n\n")
        _ = try client.execute(
            "mutation UpdateKeys($input: UpdateUserSettingsInput) { updateUserSettings(input: $input) { id } }",
            variables: ["input": ["pubKey": .string(combined)]], policy: .never)
        return true
    }

    /// The ids of RunPod's data centres (`EU-RO-1`, ...), for checking a region where it is given.
    public func dataCenterIDs() throws(RunPodAPIError) -> [String] {
        let data = try client.execute("query DataCenters { dataCenters { id } }", policy: .standard)
        guard let list = data["dataCenters"].arrayValue else { throw .invalidResponse("no dataCenters in the reply") }
        return list.compactMap { $0["id"].stringValue }
    }

    static func blob(of line: String) -> String {
        let parts = line.split(separator: " ")
        return parts.count >= 2 ? String(parts[1]) : line
    }
}
