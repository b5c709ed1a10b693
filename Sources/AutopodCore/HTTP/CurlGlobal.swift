#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import CCurl
import SSHKit

/// `curl_global_init`, which must run once before any handle exists. It initialises OpenSSL and
/// reads its configuration, about 2M instructions, so a command can start it on a second thread
/// while it parses its arguments (`beginInBackground`); the first handle waits for it. It also
/// initialises libssh2, whose libssh2_init is not thread-safe, so SSH sessions wait for it too.
public enum CurlGlobal {
    private static let state = State()

    /// Starts the initialisation on a thread of its own, once.
    public static func beginInBackground() { state.begin() }

    /// Returns once the initialisation has run, running it here if nobody began it. Also to be
    /// called before the process exits: OpenSSL must not be initialising while exit() runs its
    /// atexit handlers.
    public static func ensureInitialized() { state.finish() }

    private final class State: @unchecked Sendable {
        private let lock = Lock()
        private var thread: pthread_t?
        private var done = false

        func begin() {
            lock.withLock {
                guard thread == nil, !done else { return }
                var id = pthread_t()
                if pthread_create(&id, nil, { _ in CurlGlobal.initialize(); return nil }, nil) == 0 { thread = id }
            }
        }

        func finish() {
            lock.withLock {
                if let thread {
                    pthread_join(thread, nil)
                    self.thread = nil
                    done = true
                }
                if !done {
                    CurlGlobal.initialize()
                    done = true
                }
            }
        }
    }

    fileprivate static func initialize() { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }
}
