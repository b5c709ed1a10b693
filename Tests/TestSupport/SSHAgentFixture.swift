import AutopodSupport
import Foundation

/// A private ssh-agent on a socket in a temporary directory; killed in deinit.
public final class SSHAgentFixture {
    public let socketPath: String
    private let directory: String
    private let agent: ChildProcess

    public init() throws {
        directory = try makeTempDirectory(prefix: "agent-fixture")
        socketPath = directory + "/agent.sock"
        agent = try ChildProcess(["/usr/bin/ssh-agent", "-D", "-a", socketPath])
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: socketPath) {
            guard Date() < deadline else { throw FixtureError("ssh-agent did not create \(socketPath)") }
            usleep(20_000)
        }
    }

    deinit {
        agent.signal(SIGTERM)
        agent.wait()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public func add(_ keyPath: String) throws {
        let added = try ChildProcess.run(
            ["/usr/bin/ssh-add", keyPath], environment: ChildProcess.inheritedEnvironment(adding: ["SSH_AUTH_SOCK": socketPath]),
            mergingErrors: true)
        guard added.status == 0 else { throw FixtureError("ssh-add failed: \(added.stdout)") }
    }
}
