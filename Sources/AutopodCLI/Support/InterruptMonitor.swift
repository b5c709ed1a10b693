import AutopodSupport
import Dispatch
import AutopodCore
import FoundationEssentials

/// Ctrl+C (and a closed terminal or `kill`) during `connect`. The first SIGINT, SIGTERM or
/// SIGHUP only sets a flag, which the create and wait loops poll, so the pod can be dealt with
/// (terminated, or kept if the user says so) rather than left billing unseen. A second signal
/// exits at once with status 130; the pod is already in pods.json by then.
final class InterruptMonitor: Sendable {
    private struct State {
        var count = 0
        var first: Int32?
        var note: String?
        var sources: [any DispatchSourceSignal] = []
    }

    private let state = LockedValue(State())

    /// Takes over the signals for the rest of the process.
    func install() {
        let sources = TerminationSignals.handle { [weak self] number in self?.received(number) }
        state.withLock { $0.sources = sources }
    }

    /// Gives the signals back to their default handling (for the interactive shell).
    func uninstall() {
        let sources = state.withLock { state in
            defer { state.sources.removeAll() }
            return state.sources
        }
        TerminationSignals.release(sources)
    }

    var interrupted: Bool {
        state.withLock { $0.count > 0 }
    }

    /// Whether the user pressed Ctrl+C (and may be asked), rather than the terminal going away
    /// or the process being told to stop (when nobody is there to answer).
    var byUser: Bool {
        state.withLock { $0.first == SIGINT }
    }

    /// What to tell the user if they press Ctrl+C a second time (e.g. which pod is left).
    func setNote(_ text: String?) {
        state.withLock { $0.note = text }
    }

    private func received(_ number: Int32) {
        let (count, note) = state.withLock { state in
            state.count += 1
            if state.first == nil { state.first = number }
            return (state.count, state.note)
        }
        if count == 1 {
            let what = number == SIGINT ? "^C received" : "signal \(number) received"
            StandardStream.error.write("\n\(what): finishing the current step (press Ctrl+C again to quit at once)\n")
        } else {
            StandardStream.error.write("\ninterrupted again: exiting now. \(note ?? "")\n")
            exit(130)
        }
    }
}
