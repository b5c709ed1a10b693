import AutopodSupport
import Foundation

/// Runs helper programs (`ip`, `ssh-keygen`, `sshd`) and reports failures with their output,
/// so a broken host setup names the command that failed instead of surfacing later as a hang.
enum Shell {
    struct Result {
        let status: Int32
        let output: String
    }

    /// Runs `arguments` (an absolute path first) to completion, capturing stdout and stderr.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil) -> Result {
        do {
            let result = try ChildProcess.run(arguments, input: input, mergingErrors: true)
            return Result(status: result.status, output: result.stdout)
        } catch {
            return Result(status: 127, output: error.description)
        }
    }

    /// Runs `arguments` and throws `SimulatorError.command` when it exits non-zero.
    @discardableResult
    static func check(_ arguments: [String], input: String? = nil) throws(SimulatorError) -> String {
        let result = run(arguments, input: input)
        guard result.status == 0 else {
            let shown = arguments.joined(separator: " ") + (input.map { " <<< " + $0.replacingOccurrences(of: "\n", with: "; ") } ?? "")
            throw .command(shown, status: result.status, output: result.output)
        }
        return result.output
    }

    static var isRoot: Bool { geteuid() == 0 }
}
