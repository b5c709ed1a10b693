/// A thread that runs one body beside the calling thread, which waits for it with `join()`:
/// for work that can be done while the caller waits for something else (pods.json decoded
/// while RunPod answers).
public struct JoinableThread {
    private let id: pthread_t

    /// Starts `body` on a new thread; nil when the system has no thread to give (the caller then
    /// does the work itself).
    public static func start(_ body: @escaping @Sendable () -> Void) -> JoinableThread? {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var id = pthread_t()
        let started = pthread_create(
            &id, nil,
            { context in
                JoinableThread.run(context)
                return nil
            }, context)
        guard started == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return nil
        }
        return JoinableThread(id: id)
    }

    /// Returns once the body has run.
    public func join() {
        pthread_join(id, nil)
    }

    /// The context pointer is optional on Glibc and not on Darwin; both convert to this.
    private static func run(_ context: UnsafeMutableRawPointer?) {
        guard let context else { return }
        Unmanaged<Body>.fromOpaque(context).takeRetainedValue().body()
    }

    private final class Body: Sendable {
        let body: @Sendable () -> Void

        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
}
