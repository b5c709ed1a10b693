import AutopodSupport
import FoundationEssentials

extension RunPodProvider {
    /// `myself { clientBalance currentSpendPerHr spendLimit }`.
    public func accountSpend() throws(ProviderError) -> AccountSpend? {
        let data: JSONValue
        do {
            data = try client.execute("query Spend { myself { clientBalance currentSpendPerHr spendLimit } }", policy: .standard)
        } catch {
            throw Self.map(error, mutation: false)
        }
        let myself = data["myself"]
        guard let balance = myself["clientBalance"].doubleValue else { return nil }
        return AccountSpend(
            balance: balance, spendPerHour: myself["currentSpendPerHr"].doubleValue ?? 0,
            spendLimit: myself["spendLimit"].doubleValue)
    }
}
