import Foundation

/// One open `GET /v2/pods/{id}/logs` stream: the sources it asked for and where new lines go.
final class LogStreamSubscriber: Sendable {
    enum Event: Sendable {
        case entry(PodLog.Entry)
        /// A comment line that keeps idle proxies from closing the stream and makes a vanished
        /// client show up as a failed write.
        case keepAlive
    }

    /// Ends a stream as a cut connection, not a finished reply (`/_sim/pods/ID/log-streams`).
    struct Cut: Error {}

    let sources: Set<PodLog.Source>
    let continuation: AsyncThrowingStream<Event, any Error>.Continuation

    init(sources: Set<PodLog.Source>, continuation: AsyncThrowingStream<Event, any Error>.Continuation) {
        self.sources = sources
        self.continuation = continuation
    }
}
