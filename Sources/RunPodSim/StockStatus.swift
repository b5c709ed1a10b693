import AutopodSupport
import Foundation

/// RunPod's stock levels, as `lowestPrice.stockStatus` reports them. The level decides which
/// GPU counts can still be placed: High any count up to the type's maximum, Medium up to 4,
/// Low only 1, None nothing.
enum StockStatus: String, Sendable, CaseIterable {
    case high = "High"
    case medium = "Medium"
    case low = "Low"
    case none = "None"

    func availableCounts(max: Int) -> [Int] {
        let limit: Int
        switch self {
        case .high: limit = max
        case .medium: limit = min(4, max)
        case .low: limit = 1
        case .none: limit = 0
        }
        return [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter { $0 <= limit }
    }
}
