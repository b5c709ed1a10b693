import Foundation

/// Pod logs: lines written by lifecycle events, the pod's start-up and the control API, and the
/// open streams that follow them.
extension SimCloud {
    /// Hands new lines to the pod's open streams. Yielding under the lock keeps every stream in
    /// log order when two writers race; a yield never calls back into this class.
    func publish(_ entries: [PodLog.Entry], of id: String) {
        guard !entries.isEmpty else { return }
        lock.withLock {
            guard let subscribers = logStreams[id] else { return }
            for subscriber in subscribers.values {
                for entry in entries where subscriber.sources.contains(entry.source) {
                    subscriber.continuation.yield(.entry(entry))
                }
            }
        }
    }

    /// Appends lines to a pod's log (`POST /_sim/pods/ID/log`), as if the pod had printed them.
    func appendLog(_ id: String, lines: [String], source: PodLog.Source) throws(ControlFailure) {
        let entries = try locked { () throws(ControlFailure) -> [PodLog.Entry] in
            guard let pod = pods[id] else { throw .notFound("no pod \(id)") }
            let now = clock.now()
            return lines.map { pod.log.append(source, $0, at: now) }
        }
        publish(entries, of: id)
    }

    /// Opens a stream: the backfill from `start`, then every new line of `sources` until the
    /// pod is terminated, the stream is cut, or the client goes away. Registering under the
    /// same lock that reads the backfill means no line falls between the two.
    func openLogStream(_ id: String, scope: AuthScope, start: PodLog.Start, sources: Set<PodLog.Source>) throws(RESTProblem)
        -> (backfill: [PodLog.Entry], events: AsyncThrowingStream<LogStreamSubscriber.Event, any Error>)
    {
        let (events, continuation) = AsyncThrowingStream<LogStreamSubscriber.Event, any Error>.makeStream()
        let opened = try locked { () throws(RESTProblem) -> (backfill: [PodLog.Entry], number: Int?) in
            // A terminated pod's log can still be read; the stream then ends after the backfill.
            guard let pod = pods[id], scope.allows(id) else { throw .podNotFound }
            let backfill = pod.log.backfill(from: start, sources: sources)
            guard !pod.terminated, !shuttingDown else { return (backfill, nil) }
            nextStreamNumber += 1
            openedStreams[id, default: 0] += 1
            logStreams[id, default: [:]][nextStreamNumber] = LogStreamSubscriber(sources: sources, continuation: continuation)
            return (backfill, nextStreamNumber)
        }
        guard let number = opened.number else {
            continuation.finish()
            return (opened.backfill, events)
        }
        continuation.onTermination = { [weak self] _ in
            self?.lock.withLock { _ = self?.logStreams[id]?.removeValue(forKey: number) }
        }
        Task {
            // Keep-alives until the stream ends (a yield to an ended stream reports it).
            while true {
                try? await Task.sleep(nanoseconds: 15_000_000_000)
                if case .terminated = continuation.yield(.keepAlive) { return }
            }
        }
        return (opened.backfill, events)
    }

    /// Ends a pod's streams normally (the pod was terminated).
    func finishLogStreams(of id: String) {
        let streams = lock.withLock { logStreams.removeValue(forKey: id).map { Array($0.values) } ?? [] }
        streams.forEach { $0.continuation.finish() }
    }

    /// Cuts a pod's open streams mid-reply, as a dropped connection would; returns how many.
    func cutLogStreams(of id: String) throws(ControlFailure) -> Int {
        let streams = try locked { () throws(ControlFailure) -> [LogStreamSubscriber] in
            guard pods[id] != nil else { throw .notFound("no pod \(id)") }
            return logStreams.removeValue(forKey: id).map { Array($0.values) } ?? []
        }
        streams.forEach { $0.continuation.finish(throwing: LogStreamSubscriber.Cut()) }
        return streams.count
    }

    /// A pod's open streams, and how many were ever opened (a test waits for the latter to
    /// grow: a stream its client closed stays open here until the next keep-alive fails).
    func logStreamCounts(of id: String) -> (open: Int, opened: Int) {
        lock.withLock { (logStreams[id]?.count ?? 0, openedStreams[id] ?? 0) }
    }
}
