import AutopodSupport
import FoundationEssentials

extension CloudProvider {
    /// Not available: `autopod cost` then reports from pods.json alone.
    public func billingRecords(from start: Date, to end: Date) throws(ProviderError) -> [BillingRecord]? { nil }

    /// Not available: `list` leaves the balance out of its footer.
    public func accountSpend() throws(ProviderError) -> AccountSpend? { nil }
}
