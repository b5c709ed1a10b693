import AutopodSupport
import FoundationEssentials

/// Everything needed to create one pod of one GPU type.
public struct PodSpec: Sendable, Equatable {
    /// Unique per create: it is how a create with an unknown outcome is found again.
    public var name: String
    public var gpuTypeId: String
    public var gpuCount: Int
    public var cloudType: CloudType
    public var dataCenterId: String?
    public var imageName: String
    public var containerDiskInGb: Int
    public var volumeInGb: Int
    public var volumeMountPath: String
    /// RunPod's `8888/http,22/tcp` form.
    public var ports: String
    /// Environment for the container, e.g. PUBLIC_KEY; values are secret-ish and never logged.
    public var env: [String: String]
    /// A spot pod's bid per GPU per hour; nil for an on-demand pod.
    public var bidPerGpu: Double?
    /// A network volume mounted at `volumeMountPath` instead of a pod volume; the pod is then
    /// placed in the volume's data centre.
    public var networkVolumeId: String?

    public init(
        name: String, gpuTypeId: String, gpuCount: Int, cloudType: CloudType, dataCenterId: String?, imageName: String,
        containerDiskInGb: Int, volumeInGb: Int, volumeMountPath: String, ports: String, env: [String: String]
    ) {
        self.name = name
        self.gpuTypeId = gpuTypeId
        self.gpuCount = gpuCount
        self.cloudType = cloudType
        self.dataCenterId = dataCenterId
        self.imageName = imageName
        self.containerDiskInGb = containerDiskInGb
        self.volumeInGb = volumeInGb
        self.volumeMountPath = volumeMountPath
        self.ports = ports
        self.env = env
    }
}
