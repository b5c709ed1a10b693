import AutopodSupport
import FoundationEssentials

/// Which of a pod's logs to read, from where, and whether to keep following it.
public struct PodLogRequest: Sendable, Equatable {
    public enum Source: String, Sendable, Codable, CaseIterable {
        /// What the container writes to stdout and stderr.
        case container
        /// The host's lifecycle messages about the pod (image pull, start, stop).
        case system
    }

    public var source: Source
    /// Lines of history before anything new; nil leaves it to the cloud (RunPod: 100).
    public var tail: Int?
    /// Start from this time instead of the last `tail` lines.
    public var since: Date?
    /// Keep the stream open for new lines (across reconnects) until cancelled.
    public var follow: Bool

    public init(source: Source = .container, tail: Int? = nil, since: Date? = nil, follow: Bool = false) {
        self.source = source
        self.tail = tail
        self.since = since
        self.follow = follow
    }
}

/// One line of a pod's log.
public struct PodLogLine: Sendable, Equatable {
    /// The stream's id for this event; resuming after it neither repeats nor skips a line.
    public var id: String?
    /// When the pod wrote it, as the cloud gives it (RFC 3339).
    public var timestamp: String?
    public var source: String?
    public var text: String

    public init(id: String?, timestamp: String?, source: String?, text: String) {
        self.id = id
        self.timestamp = timestamp
        self.source = source
        self.text = text
    }
}
