import AutopodSupport
import AutopodCore
import FoundationEssentials
import Logging
import SSHKit

/// An interactive shell on a pod with the configured forwards on the same SSH session:
/// what `connect` ends in and what `shell` opens.
enum ShellSession {
    static func run(_ ssh: PodSSH, forwards ports: [Int], session existing: SSHSession? = nil) throws -> Int32 {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CLIFailure("stdin is not a terminal, so there is no shell to open. Use `autopod exec \(ssh.podName) -- COMMAND` instead.")
        }
        let session = try existing ?? ssh.connect()
        let forwarder = openForwards(ports)
        if let forwarder {
            let list = forwarder.specs.map { "localhost:\($0.localPort) → pod:\($0.remotePort)" }.joined(separator: ", ")
            StandardStream.error.write((Style.dim("forwarding \(list)") + "\n"))
        }
        defer { forwarder?.stop() }
        let exit = try InteractiveShell(session: session).run(alongside: forwarder)
        if exit == .disconnectedByUser {
            StandardStream.error.write("Connection to \(ssh.podName) closed.\n")
        }
        return exit.exitCode
    }

    /// Binds the local ports; one that is taken (a `tunnel` may already forward it) is skipped
    /// with a warning rather than costing the user their shell. Each trial forwarder closes its
    /// listeners when it goes away.
    private static func openForwards(_ ports: [Int]) -> PortForwarder? {
        var specs: [ForwardSpec] = []
        for port in ports {
            let candidate = specs + [ForwardSpec(localPort: port, remotePort: port)]
            do {
                _ = try PortForwarder(candidate)
                specs = candidate
            } catch {
                Logger(label: "autopod.shell").warning("not forwarding port \(port): \(error.description)")
            }
        }
        guard !specs.isEmpty else { return nil }
        return try? PortForwarder(specs)
    }
}
