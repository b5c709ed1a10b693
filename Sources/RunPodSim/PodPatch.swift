import Foundation

/// The changes of a REST `PATCH /v2/pods/{id}` (`UpdatePodRequest`), already checked against
/// the schema; nil means "leave as is".
struct PodPatch: Sendable {
    var name: String?
    var image: String?
    var args: String?
    var disk: Int?
    var ports: [String]?
    var env: [(String, String)]?
    var locked: Bool?
    /// `mounts.persistent`: size and path.
    var persistent: (size: Int, path: String)?
    /// `mounts.network`: nil when absent, [] when sent empty.
    var network: [(volumeId: String, path: String)]?
}
