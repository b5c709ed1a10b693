import AutopodSupport
/// The slice of RunPod's GraphQL schema the simulator serves, with RunPod's type, field,
/// argument and enum names (see docs/reference runpod-api.md §1). Names RunPod does not publish
/// (PodStopInput, PodTerminateInput, EnvironmentVariableInput, ...) are sensible inventions.
/// Anything not here is rejected by validation, as RunPod rejects unknown fields.
enum RunPodSchemaSDL {
    /// The fields RunPod's on-demand and spot deploy inputs share (the spot one adds its bid).
    private static let deployFields = """
        cloudType: CloudTypeEnum
        gpuTypeId: String
        gpuTypeIdList: [String]
        gpuCount: Int
        name: String
        imageName: String
        templateId: String
        containerDiskInGb: Int
        volumeInGb: Int
        volumeMountPath: String
        networkVolumeId: String
        dataCenterId: String
        countryCode: String
        minVcpuCount: Int
        minMemoryInGb: Int
        dockerArgs: String
        ports: String
        env: [EnvironmentVariableInput]
        startSsh: Boolean
        startJupyter: Boolean
        supportPublicIp: Boolean
        allowedCudaVersions: [String]
        minCudaVersion: String
        minDownload: Int
        minUpload: Int
        containerRegistryAuthId: String
        stopAfter: String
        terminateAfter: String
        compliance: [String]
        deployCost: Float
        globalNetwork: Boolean
        """

    static let source = """
        scalar Void

        enum CloudTypeEnum { ALL SECURE COMMUNITY }

        type Query {
          myself: User
          gpuTypes(input: GpuTypeFilter): [GpuType]
          pod(input: PodFilter): Pod
          dataCenters: [DataCenter]
        }

        type DataCenter {
          id: String
          name: String
          location: String
          gpuAvailability: [GpuAvailability]
        }

        type GpuAvailability {
          gpuTypeId: String
          displayName: String
          stockStatus: String
        }

        type NetworkVolume {
          id: String
          name: String
          size: Int
          dataCenterId: String
        }

        type Mutation {
          podFindAndDeployOnDemand(input: PodFindAndDeployOnDemandInput): Pod
          podRentInterruptable(input: PodRentInterruptableInput): Pod
          podBidResume(input: PodBidResumeInput): Pod
          podStop(input: PodStopInput): Pod
          podResume(input: PodResumeInput): Pod
          podTerminate(input: PodTerminateInput): Void
          updateUserSettings(input: UpdateUserSettingsInput): User
        }

        type User {
          id: String
          email: String
          pubKey: String
          clientBalance: Float
          currentSpendPerHr: Float
          spendLimit: Int
          notifyPodsStale: Boolean
          notifyPodsGeneral: Boolean
          notifyLowBalance: Boolean
          pods: [Pod]
          networkVolumes: [NetworkVolume]
        }

        type GpuType {
          id: String
          displayName: String
          memoryInGb: Int
          manufacturer: String
          cudaCores: Int
          maxGpuCount: Int
          secureCloud: Boolean
          communityCloud: Boolean
          securePrice: Float
          communityPrice: Float
          oneWeekPrice: Float
          oneMonthPrice: Float
          threeMonthPrice: Float
          secureSpotPrice: Float
          communitySpotPrice: Float
          lowestPrice(input: GpuLowestPriceInput!): LowestPrice
        }

        type LowestPrice {
          gpuName: String
          gpuTypeId: String
          minimumBidPrice: Float
          uninterruptablePrice: Float
          minMemory: Int
          minVcpu: Int
          stockStatus: String
          availableGpuCounts: [Int]
          countryCode: String
        }

        type Pod {
          id: String
          name: String
          desiredStatus: String
          lastStatusChange: String
          costPerHr: Float
          adjustedCostPerHr: Float
          costMultiplier: Float
          imageName: String
          dockerArgs: String
          dockerId: String
          env: [String]
          gpuCount: Int
          vcpuCount: Int
          memoryInGb: Float
          containerDiskInGb: Int
          volumeInGb: Float
          volumeMountPath: String
          volumeEncrypted: Boolean
          machineId: String
          podType: String
          port: Int
          ports: String
          uptimeSeconds: Int
          locked: Boolean
          templateId: String
          networkVolumeId: String
          consumerUserId: String
          gpuPowerLimitPercent: Int
          createdAt: String
          lastStartedAt: String
          machine: PodMachine
          runtime: PodRuntime
        }

        type PodMachine {
          podHostId: String
          gpuDisplayName: String
          gpuTypeId: String
          location: String
          dataCenterId: String
          secureCloud: Boolean
          maxGpuCount: Int
        }

        type PodRuntime {
          uptimeInSeconds: Int
          ports: [PodRuntimePorts]
          gpus: [PodRuntimeGpus]
          container: PodRuntimeContainer
        }

        type PodRuntimePorts {
          ip: String
          isIpPublic: Boolean
          privatePort: Int
          publicPort: Int
          type: String
        }

        type PodRuntimeGpus {
          id: String
          gpuUtilPercent: Int
          memoryUtilPercent: Int
        }

        type PodRuntimeContainer {
          cpuPercent: Int
          memoryPercent: Int
        }

        input GpuTypeFilter {
          id: String
        }

        input GpuLowestPriceInput {
          gpuCount: Int
          secureCloud: Boolean
          dataCenterId: String
          countryCode: String
          minMemoryInGb: Int
          minVcpuCount: Int
          totalDisk: Int
          minDisk: Int
          minDownload: Int
          minUpload: Int
          compliance: [String]
          globalNetwork: Boolean
          allowedCudaVersions: [String]
          includeAiApi: Boolean
        }

        input PodFilter {
          podId: String!
        }

        input EnvironmentVariableInput {
          key: String!
          value: String
        }

        input PodFindAndDeployOnDemandInput {
          \(deployFields)
        }

        input PodRentInterruptableInput {
          \(deployFields)
          bidPerGpu: Float!
        }

        input PodStopInput {
          podId: String!
          incrementVersion: Boolean
        }

        input PodResumeInput {
          podId: String!
          gpuCount: Int
          syncMachine: Boolean
        }

        input PodBidResumeInput {
          podId: String!
          bidPerGpu: Float!
          gpuCount: Int
        }

        input PodTerminateInput {
          podId: String!
        }

        input UpdateUserSettingsInput {
          pubKey: String
        }
        """
}
