/// A test fixture that could not do its part (start sshd or the simulator, run a tool, drive a
/// terminal, get the reply a test needs); the message says which and why.
public struct FixtureError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
