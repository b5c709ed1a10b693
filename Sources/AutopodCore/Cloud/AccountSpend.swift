import AutopodSupport
import FoundationEssentials

/// The account's money as RunPod reports it (GraphQL `myself { clientBalance
/// currentSpendPerHr spendLimit }`).
public struct AccountSpend: Sendable, Equatable {
    /// Dollars left on the account.
    public var balance: Double
    /// Dollars per hour the account's pods cost right now (RunPod counts running pods).
    public var spendPerHour: Double
    /// The account's cap on spend per hour, when it has one.
    public var spendLimit: Double?

    public init(balance: Double, spendPerHour: Double, spendLimit: Double? = nil) {
        self.balance = balance
        self.spendPerHour = spendPerHour
        self.spendLimit = spendLimit
    }

    /// Hours the balance lasts at the current rate; nil when nothing is being spent.
    public var hoursLeft: Double? {
        guard spendPerHour > 0 else { return nil }
        return max(0, balance) / spendPerHour
    }
}
