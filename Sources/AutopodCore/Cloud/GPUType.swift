import AutopodSupport
import FoundationEssentials

/// How many of a GPU type the cloud says it has free, as RunPod's `stockStatus` words it.
public enum StockStatus: String, Sendable, Codable, Comparable, CaseIterable {
    /// Not called `none`: on an optional, `.none` would silently mean nil.
    case outOfStock = "None"
    case low = "Low"
    case medium = "Medium"
    case high = "High"

    /// RunPod sends the word with varying case, or null when it does not know.
    public init?(api text: String?) {
        guard let text else { return nil }
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            return nil
        }
        self = match
    }

    private var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: StockStatus, rhs: StockStatus) -> Bool { lhs.rank < rhs.rank }
}

/// One GPU type with prices ($ per GPU per hour) and stock for the GPU count and cloud asked about.
public struct GPUType: Sendable, Codable, Equatable {
    /// The id create wants, e.g. "NVIDIA GeForce RTX 4090".
    public var id: String
    /// The short name people know, e.g. "RTX 4090".
    public var displayName: String
    public var memoryInGb: Int
    public var securePrice: Double?
    public var communityPrice: Double?
    /// Stock for the count and cloud of the query; nil when the cloud did not say.
    public var stock: StockStatus?
    /// The on-demand price per GPU for the count and cloud of the query, when known.
    public var lowestPrice: Double?
    /// The spot market for the count and cloud of the query (GraphQL only): the lowest bid per
    /// GPU per hour RunPod accepts now, and the listed spot price.
    public var minimumBid: Double?
    public var spotPrice: Double?

    public init(
        id: String, displayName: String, memoryInGb: Int, securePrice: Double? = nil, communityPrice: Double? = nil,
        stock: StockStatus? = nil, lowestPrice: Double? = nil
    ) {
        self.id = id
        self.displayName = displayName
        self.memoryInGb = memoryInGb
        self.securePrice = securePrice
        self.communityPrice = communityPrice
        self.stock = stock
        self.lowestPrice = lowestPrice
    }

    /// $ per GPU per hour on `cloud` (ALL takes the cheaper of the two).
    public func pricePerGPU(cloud: CloudType) -> Double? {
        switch cloud {
        case .secure: return securePrice ?? lowestPrice
        case .community: return communityPrice ?? lowestPrice
        case .all: return [securePrice, communityPrice, lowestPrice].compactMap { $0 }.filter { $0 > 0 }.min()
        }
    }

    /// Whether the cloud said outright that none are free.
    public var isOutOfStock: Bool { stock == .outOfStock }
}
