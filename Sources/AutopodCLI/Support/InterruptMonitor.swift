import Dispatch
import Foundation

/// Ctrl+C during `connect`. The first SIGINT only sets a flag, which the create and wait loops
/// poll, so the pod can be dealt with (terminate or keep) rather than left billing unknown.
/// A second SIGINT exits at once with status 130; the pod is already in pods.json by then.
final class InterruptMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var note: String?
    private var source: (any DispatchSourceSignal)?

    /// Takes over SIGINT for the rest of the process.
    func install() {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue.global())
        source.setEventHandler { [weak self] in self?.received() }
        source.resume()
        self.source = source
    }

    var interrupted: Bool {
        lock.lock()
        defer { lock.unlock() }
        return count > 0
    }

    /// What to tell the user if they press Ctrl+C a second time (e.g. which pod is left).
    func setNote(_ text: String?) {
        lock.lock()
        note = text
        lock.unlock()
    }

    private func received() {
        lock.lock()
        count += 1
        let current = count
        let text = note
        lock.unlock()
        if current == 1 {
            FileHandle.standardError.write(Data("\n^C received: finishing the current step (press Ctrl+C again to quit at once)\n".utf8))
        } else {
            FileHandle.standardError.write(Data("\ninterrupted again: exiting now. \(text ?? "")\n".utf8))
            exit(130)
        }
    }
}
