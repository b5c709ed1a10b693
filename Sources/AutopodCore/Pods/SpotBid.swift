import AutopodSupport
import FoundationEssentials

/// What a spot pod bids per GPU per hour: the user's figure, or the market's minimum now plus
/// a margin, so that a small rise in the market does not take the pod back at once.
public struct SpotBid: Sendable, Equatable {
    /// The user's bid (`--bid`); nil to follow the market.
    public var fixed: Double?
    /// Added to the minimum when following the market, as a fraction (0.1 = 10 %), at least a cent.
    public var margin: Double

    public static let defaultMargin = 0.1

    public init(fixed: Double? = nil, margin: Double = SpotBid.defaultMargin) {
        self.fixed = fixed
        self.margin = margin
    }

    /// The bid for a type whose minimum is `minimum`; nil when neither is known.
    public func bid(minimum: Double?) -> Double? {
        if let fixed { return fixed }
        guard let minimum else { return nil }
        let raised = max(minimum * (1 + margin), minimum + 0.01)
        // Whole cents, rounded up: the bid is never below minimum plus margin.
        return (raised * 100 - 1e-9).rounded(.up) / 100
    }
}
