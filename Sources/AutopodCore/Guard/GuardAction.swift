import AutopodSupport

/// What a pod's guard does when a limit is reached: stop (the volume is kept, and billed at
/// the stopped rate, until the pod is started again) or terminate (everything on the pod,
/// the volume included, is deleted and billing ends).
public enum GuardAction: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case stop
    case terminate

    public var description: String { rawValue }
}
