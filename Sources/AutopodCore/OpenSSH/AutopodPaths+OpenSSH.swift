import AutopodSupport
import FoundationEssentials

/// The files that let OpenSSH (and every tool built on it: VS Code, rsync, git) reach pods the
/// way autopod does.
extension AutopodPaths {
    /// autopod's pins in OpenSSH's format, each under its pod's `HostKeyAlias`, for the
    /// `UserKnownHostsFile` of the ssh-config entries (see `OpenSSHKnownHosts`).
    public var openSSHKnownHosts: URL { home.appendingPathComponent("ssh_known_hosts") }
    /// `autopod proxy`'s brief memory of each pod's endpoint (see `ProxyEndpointCache`).
    public var proxyEndpoints: URL { home.appendingPathComponent("proxy-endpoints") }
    /// Left by `ssh-config --write` when the user said no to the Include line, so it is asked once.
    public var sshIncludeDeclined: URL { home.appendingPathComponent("ssh-include-declined") }

    /// The user's OpenSSH folder, `~/.ssh` (under `HOME`, so tests never touch the real one).
    public static func userSSHDirectory(_ environment: Environment = .process) -> URL {
        userHome(environment).appendingPathComponent(".ssh")
    }
}

extension AutopodPaths {
    /// The Jupyter password autopod gives pods (0600), see `JupyterAccess`.
    public var jupyterPassword: URL { home.appendingPathComponent("jupyter_password") }
}
