/// A value that threads share, reachable only while its lock is held, so the compiler sees
/// that every access is locked (as swift-nio's NIOLockedValueBox). Used instead of a lock
/// beside loose variables: `counter.withLock { $0 += 1 }` is one locked read-modify-write,
/// where `box.value += 1` would be a locked get and then a locked set.
///
/// Written here rather than Synchronization's `Mutex` because that needs macOS 15 and is
/// non-copyable, which does not fit the classes that hand this around.
public final class LockedValue<Value>: @unchecked Sendable {
    private let lock = Lock()
    private var value: Value

    public init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with the value, holding the lock; what `body` changes is kept. The error
    /// type passes through (typed throws), so callers keep their precise errors.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// A copy of the value as it is now.
    public var current: Value {
        lock.withLock { value }
    }

    /// Replaces the value.
    public func set(_ newValue: Value) {
        lock.withLock { value = newValue }
    }
}
