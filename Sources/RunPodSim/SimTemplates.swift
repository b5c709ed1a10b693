import Foundation

/// The public templates the simulator knows: a create naming any other `templateId` is refused,
/// as RunPod refuses a template that does not exist or is not visible to the account.
enum SimTemplates {
    static let known: Set<String> = ["runpod-torch-v21", "runpod-torch-v240", "runpod-ubuntu", "runpod-desktop"]

    static func check(_ id: String?) throws(RunPodAPIError) {
        guard let id, !known.contains(id) else { return }
        throw .invalid("Unknown template \(id): this account has no template with that id and no public template has it.")
    }
}
