import AutopodSupport
import Foundation

/// The fields of `PodFindAndDeployOnDemandInput` the simulator acts on.
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
    var dataCenterId: String?
    var ports: String?
    var env: [(String, String)] = []
    var startSsh = false
    var startJupyter = false
    var dockerArgs = ""
    var minVcpuCount = 1
    var minMemoryInGb = 1
}
