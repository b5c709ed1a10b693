import Foundation

/// A pod's utilisation as the tests set it (`POST /_sim/pods/ID/gpu`, `/_sim/pods/ID/usage`):
/// what REST `runtime.gpus/cpu/memory`, GraphQL `runtime.gpus/container` and the pod's
/// `nvidia-smi` report. Percentages, 0-100. Mutated only under `SimCloud`'s lock.
struct PodUsage: Sendable, Equatable {
    struct GPU: Sendable, Equatable {
        var util = 0
        var memoryUtil = 0
    }

    /// One entry per possible GPU (a resume may raise the count).
    var gpus: [GPU]
    var cpu = 0
    var memory = 1

    init(gpuSlots: Int) {
        gpus = Array(repeating: GPU(), count: gpuSlots)
    }

    /// The state file the pod's `nvidia-smi` reads: one "util memoryUtil" line per GPU.
    var stateFileText: String {
        gpus.map { "\($0.util) \($0.memoryUtil)\n" }.joined()
    }
}
