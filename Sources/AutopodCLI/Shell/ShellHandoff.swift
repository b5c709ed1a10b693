import AutopodCore
import Foundation

/// Where `connect` hands over once the pod answers SSH.
///
/// LEAD: replace the body with the in-process libssh2 shell and the default forwards
/// (`config.forwards`). For now it prints how to connect and returns.
enum ShellHandoff {
    static func openShell(pod: PodRecord, endpoint: PodEndpoint, config: AutopodConfig) throws {
        let key = config.sshKeyPath.map { " -i \($0)" } ?? ""
        print("The interactive shell is not wired in yet. Meanwhile:")
        print("  ssh \(config.sshUser)@\(endpoint.host) -p \(endpoint.port)\(key)")
        if !config.forwards.isEmpty {
            let forwards = config.forwards.map { "-L \($0):localhost:\($0)" }.joined(separator: " ")
            print("  forwards: ssh \(forwards) \(config.sshUser)@\(endpoint.host) -p \(endpoint.port)\(key)")
        }
    }
}
