import AutopodSupport
import Foundation

/// A pod create as the simulator acts on it, from GraphQL's `PodFindAndDeployOnDemandInput` or
/// REST's `CreatePodRequest`.
struct CreatePodRequest: Sendable {
    var cloudType = "ALL"
    var gpuTypeId = ""
    var gpuCount = 1
    var name: String?
    var imageName = ""
    var templateId: String?
    var containerDiskInGb = 10
    var volumeInGb = 0
    var volumeMountPath = "/workspace"
    /// GraphQL's single data centre, taken as given.
    var dataCenterId: String?
    /// REST's preference list: the pod goes to the first listed centre that serves its cloud,
    /// and an unknown id is an error.
    var dataCenterIds: [String] = []
    var networkVolumeId: String?
    var ports: String?
    var env: [(String, String)] = []
    var startSsh = false
    var startJupyter = false
    var dockerArgs = ""
    var minVcpuCount = 1
    var minMemoryInGb = 1
    /// Exact CUDA versions acceptable (empty: any) and a floor.
    var allowedCudaVersions: [String] = []
    var minCudaVersion: String?
    /// GraphQL's price ceiling for the whole pod ($/hr): no machine above it is taken.
    var deployCost: Double?
    /// Only data centres in this country (ISO code, e.g. "RO").
    var countryCode: String?
    /// Set for a spot pod (`podRentInterruptable`): the bid per GPU per hour.
    var bidPerGpu: Double?
}
