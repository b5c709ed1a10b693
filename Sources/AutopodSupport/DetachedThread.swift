/// Threads of their own for work that blocks for a long time (a poll for a program's whole
/// life), which would otherwise tie up one of Dispatch's few pool threads.
public enum DetachedThread {
    /// What a new thread runs, handed over through pthread's context pointer, so each thread
    /// gets exactly its own body even when several start at once or one fails to start.
    private final class Work: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Runs `body` on a new detached thread. Returns false, and drops `body`, when the system
    /// has no thread to give.
    @discardableResult
    public static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        let work = Unmanaged.passRetained(Work(body))
        var thread = pthread_t()
        let started = pthread_create(
            &thread, nil,
            { context in
                // Optional on Glibc, not on Darwin: one spelling for both.
                let context: UnsafeMutableRawPointer? = context
                guard let context else { return nil }
                Unmanaged<Work>.fromOpaque(context).takeRetainedValue().body()
                return nil
            }, work.toOpaque())
        guard started == 0 else {
            work.release()
            return false
        }
        pthread_detach(thread)
        return true
    }
}
