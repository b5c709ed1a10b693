import AutopodSupport
import Dispatch
import FoundationEssentials

/// SIGINT, SIGTERM and SIGHUP delivered to a handler on a background queue instead of ending
/// the process, for commands that must clean up first (`connect`'s pod, `tunnel`'s forwarder).
enum TerminationSignals {
    static let numbers: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Takes the signals over; keep the returned sources alive for as long as they should be.
    static func handle(_ handler: @escaping @Sendable (Int32) -> Void) -> [any DispatchSourceSignal] {
        numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: DispatchQueue.global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    /// Gives the signals back to their default handling.
    static func release(_ sources: [any DispatchSourceSignal]) {
        for source in sources { source.cancel() }
        for number in numbers { signal(number, SIG_DFL) }
    }
}
