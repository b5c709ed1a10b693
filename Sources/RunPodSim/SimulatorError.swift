import AutopodSupport
import Foundation

/// Everything that can go wrong inside the simulator itself (not RunPod business errors, which
/// are `RunPodAPIError`). Each message names the cause and what to do about it.
public enum SimulatorError: Error, CustomStringConvertible, Sendable {
    case command(String, status: Int32, output: String)
    case socket(String, errno: Int32)
    case timeout(String)
    case badArgument(String)
    case serverFailed(String)
    case io(String)

    public var description: String {
        switch self {
        case .command(let command, let status, let output):
            return "runpod-sim: `\(command)` exited with status \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines)). "
                + "Check that iproute2 and openssh-server are installed and that the simulator runs as root for namespaces."
        case .socket(let what, let code):
            return "runpod-sim: \(what) failed: \(String(cString: strerror(code))) (errno \(code)). Another process may hold the port; try again or pick --port 0."
        case .timeout(let what):
            return "runpod-sim: timed out waiting for \(what). The machine may be overloaded; see the pod's log in the state directory."
        case .badArgument(let message):
            return "runpod-sim: \(message). Run `runpod-sim --help` for usage."
        case .serverFailed(let message):
            return "runpod-sim: the HTTP server could not start: \(message). Pick another --port or free the one given."
        case .io(let message):
            return "runpod-sim: \(message). Check that the state directory is writable and the disk not full."
        }
    }
}
