import AutopodSupport
import Foundation

/// A thread-safe countdown, for closing a connection once both directions have finished.
final class ManagedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int
    init(_ value: Int) { self.value = value }
    func decrement() -> Int { lock.withLock { value -= 1; return value } }
}
