import AutopodSupport
import SSHKit

/// What autopod tells a person to do about an SSH failure. SSHKit reports what failed; only
/// autopod knows the far end is a pod that may still be booting, that keys are registered
/// with RunPod, and which command or flag is the way out.
extension SSHError {
    /// The next step for the person at the terminal, or nil when the facts already say it.
    public var advice: String? {
        switch kind {
        case .connect:
            // Without an endpoint the pod was never reached: PodSSH's own errors, which
            // already say what the pod is doing.
            return endpoint == nil ? nil : "The pod may be stopped or its SSH port not yet open."
        case .timeout:
            return "The pod may still be starting; try again shortly."
        case .handshake:
            return "The pod's sshd may still be starting; try again shortly."
        case .hostKeyChanged:
            let flag = presentedFingerprint.map { "--accept-host-key \($0)" } ?? "--accept-host-key SHA256:..."
            return "If you trust the new key, run the command again with \(flag) (or --accept-new-host-key) "
                + "to accept this one change; a later change is checked as usual."
        case .authentication:
            return "Check that your public key is registered with RunPod (`autopod config init`) "
                + "and that the pod was created after it was added."
        case .unsupportedKey:
            return "Run `autopod config init` to create an ed25519 key and register it with RunPod."
        case .keyGeneration:
            return "Generate one with `ssh-keygen -t ed25519` and set sshKeyPath (`autopod config init --ssh-key PATH`)."
        case .notATerminal:
            return "Use `autopod exec POD -- COMMAND` instead."
        case .nameResolution, .keyFile, .channel, .disconnected, .unresponsive, .io, .localPort, .knownHostsFile, .interrupted,
            .endpointGone:
            return nil
        }
    }

    /// The fingerprint on the refusal's "presented:" line, for the flag that accepts exactly it.
    var presentedFingerprint: String? {
        guard let line = description.split(separator: "\n").first(where: { $0.trimmingSpaces().hasPrefix("presented:") })
        else { return nil }
        return line.split(separator: " ").first { $0.hasPrefix("SHA256:") }.map(String.init)
    }

    /// The error as autopod shows it: what failed, then what to do. Advice after a multi-line
    /// report (a list of keys tried, two fingerprints) goes on a line of its own.
    public var userMessage: String {
        guard let advice else { return description }
        return description + (description.contains("\n") ? "\n" : " ") + advice
    }
}
