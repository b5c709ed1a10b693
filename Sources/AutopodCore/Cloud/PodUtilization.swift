import AutopodSupport
import FoundationEssentials

/// How busy a running pod is, in percent (0–100), as the cloud reports it: per GPU, and for
/// the container's CPU and memory. Any figure the cloud leaves out is nil.
public struct PodUtilization: Sendable, Equatable, Codable {
    public struct GPU: Sendable, Equatable, Codable {
        /// Compute utilisation.
        public var util: Int?
        /// Share of the GPU's memory in use.
        public var memoryUtil: Int?

        public init(util: Int?, memoryUtil: Int?) {
            self.util = util
            self.memoryUtil = memoryUtil
        }
    }

    public var gpus: [GPU]
    public var cpu: Int?
    public var memory: Int?

    public init(gpus: [GPU], cpu: Int?, memory: Int?) {
        self.gpus = gpus
        self.cpu = cpu
        self.memory = memory
    }

    /// The mean compute utilisation over the GPUs that reported one (what one column shows).
    public var meanGPUUtil: Int? {
        let values = gpus.compactMap(\.util)
        guard !values.isEmpty else { return nil }
        return Int((Double(values.reduce(0, +)) / Double(values.count)).rounded())
    }

    /// Whether the cloud reported any figure at all.
    public var isEmpty: Bool {
        cpu == nil && memory == nil && gpus.allSatisfy { $0.util == nil && $0.memoryUtil == nil }
    }
}
