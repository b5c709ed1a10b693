import AutopodSupport
import Foundation

/// Who a request acts for: the account (the simulator's API key) or one pod (that pod's
/// RUNPOD_API_KEY, which may read and act on that pod alone).
enum AuthScope: Sendable, Equatable {
    case account
    case pod(String)

    func allows(_ podID: String) -> Bool {
        switch self {
        case .account: return true
        case .pod(let id): return id == podID
        }
    }
}
