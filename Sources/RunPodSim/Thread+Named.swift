import Foundation

extension Thread {
    /// Runs `body` on a new thread called `name`, which a debugger, `top -H` and a crash report
    /// show: every listener and connection of the simulator has a thread of its own.
    static func start(_ name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.start()
    }
}
