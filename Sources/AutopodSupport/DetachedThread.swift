/// Threads of their own for work that blocks for a long time (a poll for a program's whole
/// life), which would otherwise tie up one of Dispatch's few pool threads.
public enum DetachedThread {
    /// Bodies waiting for the thread started for them; each new thread takes one (pthread's
    /// context pointer differs in optionality between Glibc and Darwin, so none is passed).
    private static let unstarted = LockedValue<[@Sendable () -> Void]>([])

    /// Runs `body` on a new detached thread. Returns false, and drops `body`, when the system
    /// has no thread to give.
    @discardableResult
    public static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        unstarted.withLock { $0.append(body) }
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { _ in
                DetachedThread.unstarted.withLock { $0.removeFirst() }()
                return nil
            }, nil)
        guard started == 0 else {
            _ = unstarted.withLock { $0.popLast() }
            return false
        }
        pthread_detach(thread)
        return true
    }
}
