import AutopodSupport
import Foundation

/// The data centres pods are placed in: secure cloud in EU-RO-1, community in CA-MTL-1. Each
/// carries the stock of its cloud, so GraphQL's `dataCenters`, REST's catalogue and placement
/// agree.
struct DataCenter: Sendable {
    let id: String
    /// Country as GraphQL's `location` names it, e.g. "Romania".
    let country: String
    let countryCode: String
    /// `DataCenterRegion` of REST v2.
    let region: String
    let secure: Bool
    let networkVolumeTypes: [String]
    let compliance: [String]

    static let secureDefault = "EU-RO-1"
    static let communityDefault = "CA-MTL-1"

    static let all: [DataCenter] = [
        DataCenter(
            id: secureDefault, country: "Romania", countryCode: "RO", region: "EUROPE", secure: true,
            networkVolumeTypes: ["STANDARD", "HIGH_PERFORMANCE"], compliance: ["GDPR", "ISO_IEC_27001", "SOC_2_TYPE_2"]),
        DataCenter(
            id: communityDefault, country: "Canada", countryCode: "CA", region: "NORTH_AMERICA", secure: false,
            networkVolumeTypes: ["STANDARD"], compliance: []),
    ]

    static func find(_ id: String) -> DataCenter? { all.first { $0.id == id } }

    /// The data centre that serves a cloud by default.
    static func serving(secure: Bool) -> DataCenter { all.first { $0.secure == secure }! }

    static func location(_ id: String) -> String {
        switch id.prefix(2) {
        case "EU": return id.contains("RO") ? "RO" : "EU"
        case "CA": return "CA"
        case "US": return "US"
        default: return id
        }
    }
}
