import AutopodSupport
import Dispatch
import AutopodCore
import FoundationEssentials

/// Ctrl+C (and a closed terminal or `kill`) during `connect`. The first SIGINT, SIGTERM or
/// SIGHUP only sets a flag, which the create and wait loops poll, so the pod can be dealt with
/// (terminated, or kept if the user says so) rather than left billing unseen. A second signal
/// exits at once with status 130; the pod is already in pods.json by then.
final class InterruptMonitor: @unchecked Sendable {
    private let lock = Lock()
    private var count = 0
    private var first: Int32?
    private var note: String?
    private var sources: [any DispatchSourceSignal] = []

    /// Takes over the signals for the rest of the process.
    func install() {
        sources = TerminationSignals.handle { [weak self] number in self?.received(number) }
    }

    /// Gives the signals back to their default handling (for the interactive shell).
    func uninstall() {
        TerminationSignals.release(sources)
        sources.removeAll()
    }

    var interrupted: Bool {
        lock.lock()
        defer { lock.unlock() }
        return count > 0
    }

    /// Whether the user pressed Ctrl+C (and may be asked), rather than the terminal going away
    /// or the process being told to stop (when nobody is there to answer).
    var byUser: Bool {
        lock.lock()
        defer { lock.unlock() }
        return first == SIGINT
    }

    /// What to tell the user if they press Ctrl+C a second time (e.g. which pod is left).
    func setNote(_ text: String?) {
        lock.lock()
        note = text
        lock.unlock()
    }

    private func received(_ number: Int32) {
        lock.lock()
        count += 1
        if first == nil { first = number }
        let current = count
        let text = note
        lock.unlock()
        if current == 1 {
            let what = number == SIGINT ? "^C received" : "signal \(number) received"
            StandardStream.error.write("\n\(what): finishing the current step (press Ctrl+C again to quit at once)\n")
        } else {
            StandardStream.error.write("\ninterrupted again: exiting now. \(text ?? "")\n")
            exit(130)
        }
    }
}
