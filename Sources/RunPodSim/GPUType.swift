import AutopodSupport
import Foundation

/// One entry of the built-in GPU catalogue, with RunPod's ids and display names and
/// realistic on-demand prices in $/GPU/hr.
struct GPUType: Sendable {
    let id: String
    let displayName: String
    let memoryInGb: Int
    let securePrice: Double
    let communityPrice: Double
    let maxGpuCount: Int
    let cudaCores: Int

    static let catalogue: [GPUType] = [
        GPUType(id: "NVIDIA A40", displayName: "A40", memoryInGb: 48, securePrice: 0.40, communityPrice: 0.35, maxGpuCount: 10, cudaCores: 10752),
        GPUType(id: "NVIDIA RTX A6000", displayName: "RTX A6000", memoryInGb: 48, securePrice: 0.49, communityPrice: 0.33, maxGpuCount: 8, cudaCores: 10752),
        GPUType(id: "NVIDIA RTX A5000", displayName: "RTX A5000", memoryInGb: 24, securePrice: 0.27, communityPrice: 0.16, maxGpuCount: 8, cudaCores: 8192),
        GPUType(id: "NVIDIA GeForce RTX 4090", displayName: "RTX 4090", memoryInGb: 24, securePrice: 0.69, communityPrice: 0.34, maxGpuCount: 8, cudaCores: 16384),
        GPUType(id: "NVIDIA GeForce RTX 3090", displayName: "RTX 3090", memoryInGb: 24, securePrice: 0.46, communityPrice: 0.22, maxGpuCount: 8, cudaCores: 10496),
        GPUType(id: "NVIDIA L40S", displayName: "L40S", memoryInGb: 48, securePrice: 0.86, communityPrice: 0.79, maxGpuCount: 8, cudaCores: 18176),
        GPUType(id: "NVIDIA A100 80GB PCIe", displayName: "A100 PCIe", memoryInGb: 80, securePrice: 1.64, communityPrice: 1.19, maxGpuCount: 8, cudaCores: 6912),
        GPUType(id: "NVIDIA A100-SXM4-80GB", displayName: "A100 SXM", memoryInGb: 80, securePrice: 1.89, communityPrice: 1.39, maxGpuCount: 8, cudaCores: 6912),
        GPUType(id: "NVIDIA H100 80GB HBM3", displayName: "H100 SXM", memoryInGb: 80, securePrice: 2.99, communityPrice: 2.69, maxGpuCount: 8, cudaCores: 16896),
        GPUType(id: "NVIDIA H100 PCIe", displayName: "H100 PCIe", memoryInGb: 80, securePrice: 2.39, communityPrice: 1.99, maxGpuCount: 8, cudaCores: 14592),
        GPUType(id: "NVIDIA RTX 4000 Ada Generation", displayName: "RTX 4000 Ada", memoryInGb: 20, securePrice: 0.26, communityPrice: 0.20, maxGpuCount: 8, cudaCores: 6144),
    ]

    static func find(_ id: String) -> GPUType? { catalogue.first { $0.id == id } }

    func price(secure: Bool) -> Double { secure ? securePrice : communityPrice }

    /// The CUDA versions machines with this GPU offer (REST's `cudaVersions`), lowest first.
    var cudaVersions: [String] { ["12.4", "12.6", "12.8"] }
}
