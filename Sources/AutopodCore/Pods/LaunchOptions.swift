import AutopodSupport
import FoundationEssentials

/// What `connect` asks for: the config, with the command line's overrides applied.
public struct LaunchOptions: Sendable, Equatable {
    /// GPU names in order of preference, as the user typed them.
    public var gpuNames: [String]
    public var gpuCount: Int
    public var cloud: CloudType
    public var dataCenterId: String?
    public var image: String
    public var containerDiskGB: Int
    public var volumeGB: Int
    public var volumeMountPath: String
    public var ports: String
    /// Container environment; PUBLIC_KEY is added from the SSH key.
    public var env: [String: String]
    /// A name chosen by the user instead of `autopod-YYYY-MM-DD-NNN`.
    public var name: String?
    /// Set for a spot pod: how much to bid.
    public var spot: SpotBid?
    /// A network volume for /workspace; the pod then goes to the volume's data centre.
    public var networkVolume: NetworkVolume?

    public init(config: AutopodConfig) {
        gpuNames = config.gpuTypes
        gpuCount = config.gpuCount
        cloud = config.cloudType
        dataCenterId = config.dataCenterId
        image = config.image
        containerDiskGB = config.containerDiskGB
        volumeGB = config.volumeGB
        volumeMountPath = config.volumeMountPath
        ports = config.ports
        env = [:]
        name = nil
    }

    /// Reads `<private key>.pub` for the pod's PUBLIC_KEY, which RunPod's images put in
    /// authorized_keys when `startSsh` is set.
    public static func publicKey(forPrivateKey path: String) throws -> String {
        let publicPath = AutopodPaths.expandTilde(path) + ".pub"
        guard let text = try? String(contentsOfFile: publicPath, encoding: .utf8),
            let line = text.split(whereSeparator: \.isNewline).first.map(String.init), !line.isEmpty
        else {
            throw FileProblem(
                path: publicPath, reason: "cannot read the SSH public key",
                fix: "create it with `ssh-keygen -y -f \(path) > \(publicPath)`, or run `autopod config init --create-ssh-key`")
        }
        return line.trimmingSpaces()
    }
}

/// One GPU type in the order `connect` will try them, with its stock and price.
public struct LaunchCandidate: Sendable, Equatable {
    public var type: GPUType
    /// $/hr for the whole pod (all its GPUs) on the chosen cloud, when known.
    public var pricePerHour: Double?
    /// A spot launch's bid per GPU per hour for this type (nil on demand).
    public var bidPerGpu: Double?

    public init(type: GPUType, pricePerHour: Double?, bidPerGpu: Double? = nil) {
        self.type = type
        self.pricePerHour = pricePerHour
        self.bidPerGpu = bidPerGpu
    }
}

/// The GPU types to try, in order, for a launch.
public struct LaunchPlan: Sendable, Equatable {
    public var options: LaunchOptions
    public var candidates: [LaunchCandidate]
    /// Other types with stock for the count and cloud, cheapest first: what to suggest when
    /// none of the candidates can be placed.
    public var inStockElsewhere: [String]

    public init(options: LaunchOptions, candidates: [LaunchCandidate], inStockElsewhere: [String] = []) {
        self.options = options
        self.candidates = candidates
        self.inStockElsewhere = inStockElsewhere
    }

    /// The price of the first type that is not known to be out of stock.
    public var expectedPricePerHour: Double? {
        candidates.first(where: { !$0.type.isOutOfStock })?.pricePerHour
    }
}
