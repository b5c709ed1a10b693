import AutopodSupport
import Foundation

/// The data centres pods are placed in: secure cloud in EU-RO-1, community in CA-MTL-1 unless
/// the request names one.
enum DataCenter {
    static let secureDefault = "EU-RO-1"
    static let communityDefault = "CA-MTL-1"

    static func location(_ id: String) -> String {
        switch id.prefix(2) {
        case "EU": return id.contains("RO") ? "RO" : "EU"
        case "CA": return "CA"
        case "US": return "US"
        default: return id
        }
    }
}
