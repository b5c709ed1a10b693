import Foundation

/// A network volume of the simulated account (`/v2/network-volumes`; GraphQL's
/// `myself.networkVolumes`). Mutated only under `SimCloud`'s lock.
struct NetworkVolume: Sendable {
    let id: String
    var name: String
    var size: Int
    let dataCenter: String
    let type: String
    let createdAt: Date

    var restValue: JSONNode {
        .object(["id": .string(id), "name": .string(name), "size": .int(size), "dataCenter": .string(dataCenter), "type": .string(type)])
    }
}
