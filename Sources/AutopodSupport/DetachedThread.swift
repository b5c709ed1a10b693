/// Threads of their own for work that blocks for a long time (a poll for a program's whole
/// life), which would otherwise tie up one of Dispatch's few pool threads.
public enum DetachedThread {
    /// Runs `body` on a new detached thread. Returns false, and drops `body`, when the system
    /// has no thread to give.
    @discardableResult
    public static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        guard let thread = JoinableThread.start(body) else { return false }
        pthread_detach(thread.id)
        return true
    }
}
