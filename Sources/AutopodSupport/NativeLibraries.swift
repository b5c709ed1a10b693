internal import CCurl
internal import CLibSSH2

/// Starts the C libraries autopod uses, once and in the right order, so no caller has to know
/// how they depend on each other:
/// - `curl_global_init` initialises OpenSSL and reads its configuration (about 2M
///   instructions), so a command starts it on a second thread while it parses its arguments
///   (`beginInBackground`);
/// - it also initialises libssh2, and `libssh2_init` is not thread-safe, so the first SSH
///   session waits for it too (`initialize`), and so does process exit (OpenSSL must not be
///   initialising while exit() runs its atexit handlers).
public enum NativeLibraries {
    private struct State {
        var thread: pthread_t?
        var done = false
    }

    private static let state = LockedValue(State())

    /// Starts the initialisation on a thread of its own, once.
    public static func beginInBackground() {
        state.withLock { state in
            guard state.thread == nil, !state.done else { return }
            var id = pthread_t()
            let started = pthread_create(
                &id, nil,
                { _ in
                    NativeLibraries.run()
                    return nil
                }, nil)
            if started == 0 { state.thread = id }
        }
    }

    /// Returns once libcurl and libssh2 are initialised, initialising them here if nobody began.
    /// Call before the first HTTP handle, the first SSH session, and exit.
    public static func initialize() {
        state.withLock { state in
            if let thread = state.thread {
                pthread_join(thread, nil)
                state.thread = nil
                state.done = true
            }
            if !state.done {
                run()
                state.done = true
            }
        }
    }

    private static func run() {
        // OpenSSL frees its tables from an atexit handler unless its first initialisation says
        // not to: about 0.5M instructions at every exit, for memory the exiting process hands
        // back anyway. This call comes before curl's, which initialises OpenSSL too.
        OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        // curl's init starts libssh2 when curl is built with it; this makes sure of it either way
        // (libssh2_init counts its callers).
        libssh2_init(0)
    }
}
