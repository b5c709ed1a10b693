/// A thread that runs one body beside the calling thread, which waits for it with `join()`:
/// for work that can be done while the caller waits for something else (pods.json decoded
/// while RunPod answers). `DetachedThread` starts its threads here too.
public struct JoinableThread {
    let id: pthread_t

    /// What the new thread runs, handed over through pthread's context pointer, so each thread
    /// gets exactly its own body even when several start at once or one fails to start.
    private final class Work: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread; nil, and `body` dropped, when the system has no thread
    /// to give (the caller then does the work itself).
    public static func start(_ body: @escaping @Sendable () -> Void) -> JoinableThread? {
        let work = Unmanaged.passRetained(Work(body))
        var id = pthread_t()
        let started = pthread_create(
            &id, nil,
            { context in
                // Optional on Glibc, not on Darwin: one spelling for both.
                let context: UnsafeMutableRawPointer? = context
                guard let context else { return nil }
                Unmanaged<Work>.fromOpaque(context).takeRetainedValue().body()
                return nil
            }, work.toOpaque())
        guard started == 0 else {
            work.release()
            return nil
        }
        return JoinableThread(id: id)
    }

    /// Returns once the body has run.
    public func join() {
        pthread_join(id, nil)
    }
}
