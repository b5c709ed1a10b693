import ArgumentParser
import AutopodCore
import AutopodSupport

/// What a new pod is made of. `connect` takes these for one pod and `config init` saves them as
/// the defaults; both declare them through this group, so the flags, their help and their checks
/// are the same in both.
struct PodOptions: ParsableArguments {
    @Option(
        name: .customLong("gpu"),
        help: ArgumentHelp(
            "GPU types in order of preference (A40, a6000, 4090, H100 or a full id); repeat or separate with commas.",
            valueName: "type"),
        completion: LocalCompletions.gpus)
    var gpus: [CommaList<String>] = []

    @Option(parsing: .unconditional, help: ArgumentHelp("GPUs per pod, 1 to 8.", valueName: "n"))
    var gpuCount: Int?

    @Option(help: "Cloud type; SECURE pods have public IPs, which direct SSH needs.")
    var cloud: CloudType?

    @Option(help: ArgumentHelp("Data centre id such as EU-RO-1, or 'any'.", valueName: "id"))
    var region: String?

    @Option(help: "Container image.")
    var image: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Persistent volume in GB at /workspace (kept on stop, billed while stopped).", valueName: "gb"))
    var volume: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("Container disk in GB (wiped on stop).", valueName: "gb"))
    var containerDisk: Int?

    @Option(
        name: .customLong("port"),
        help: ArgumentHelp(
            "Port the pod exposes, as PORT/http or PORT/tcp (22/tcp among them); repeat or separate with commas.",
            valueName: "port/kind"))
    var ports: [CommaList<PortSpec>] = []

    @Option(
        name: .customLong("forward"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "Pod port to forward to localhost, PORT or LOCAL:REMOTE; repeat or separate with commas.", valueName: "port"))
    var forwards: [CommaList<ConfigForward>] = []

    func validate() throws {
        try RangeCheck.require(gpuCount, in: AutopodConfig.gpuCountRange, flag: "--gpu-count")
        try RangeCheck.require(volume, in: AutopodConfig.volumeRange, flag: "--volume", unit: " GB")
        try RangeCheck.require(containerDisk, in: AutopodConfig.containerDiskRange, flag: "--container-disk", unit: " GB")
        let forwardPorts = forwards.flattened().flatMap { [$0.localPort, $0.remotePort] }
        try RangeCheck.require(forwardPorts, in: ConfigForward.portRange, flag: "--forward")
        if let region, region.isEmpty || region.contains(where: \.isWhitespace) {
            throw ValidationError("--region takes a data centre id such as EU-RO-1, or 'any', not '\(region)'")
        }
        if let image, image.isEmpty || image.contains(where: \.isWhitespace) {
            throw ValidationError("--image takes an image name without spaces, not '\(image)'")
        }
        let ports = ports.flattened()
        if !ports.isEmpty && !ports.contains(.ssh) {
            throw ValidationError("--port must include 22/tcp: autopod reaches pods over SSH")
        }
    }

    /// `config` with every flag that was given in place of its setting.
    func apply(to config: inout AutopodConfig) {
        let gpuNames = gpus.flattened()
        if !gpuNames.isEmpty { config.gpuTypes = gpuNames }
        if let gpuCount { config.gpuCount = gpuCount }
        if let cloud { config.cloudType = cloud }
        if let region { config.dataCenterId = Self.dataCenter(region) }
        if let image { config.image = image }
        if let volume { config.volumeGB = volume }
        if let containerDisk { config.containerDiskGB = containerDisk }
        let ports = ports.flattened()
        if !ports.isEmpty { config.ports = PortSpec.list(ports) }
        let forwards = forwards.flattened()
        if !forwards.isEmpty { config.forwards = forwards }
    }

    /// A data centre id, or nil for `any` (RunPod chooses).
    static func dataCenter(_ text: String) -> String? { text.lowercased() == "any" ? nil : text }
}
