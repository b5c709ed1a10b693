import AutopodSupport
import Foundation

/// A real terminal: a detached tmux session on a private server, driven with send-keys and
/// read with capture-pane.
public final class TmuxSession {
    public let socket: String
    public let name = "t"
    private let statusFile: String

    /// Starts `arguments[0]` with the rest as its arguments, directly (no shell in between, so
    /// Ctrl+C reaches the program alone) in a new `width`×`height` terminal. The pane stays after
    /// the program exits so its status can be read.
    public init(_ arguments: [String], environment: [String: String] = [:], width: Int = 120, height: Int = 40) throws {
        socket = "autopod-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        statusFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket).status").path
        var command = [
            "-L", socket, "-f", "/dev/null", "start-server", ";", "set-option", "-g", "remain-on-exit", "on", ";",
            "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
        ]
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) { command += ["-e", "\(key)=\(value)"] }
        // tmux does not always record a dead pane's exit status, so a shell records it. Its INT
        // trap is a handler, not SIG_IGN, so the program still gets Ctrl+C with the default action.
        command += ["/bin/bash", "--norc", "--noprofile", "-c", "trap : INT TERM HUP; \"$@\"; echo $? > \(statusFile)", "bash"]
        command += arguments
        // No pipes: the tmux server this starts would hold them open for its whole life.
        let status = try ChildProcess(["/usr/bin/tmux"] + command).wait()
        guard status == 0 else { throw FixtureError("tmux new-session failed with status \(status)") }
    }

    deinit {
        unlink(statusFile)
        (try? ChildProcess(["/usr/bin/tmux", "-L", socket, "kill-server"]))?.wait()
    }

    /// Runs a tmux client command against this session's server.
    @discardableResult
    private func tmux(_ arguments: String...) throws -> ProcessResult {
        try ChildProcess.run(["/usr/bin/tmux", "-L", socket] + arguments)
    }

    /// Types `text` literally, then presses Enter if asked.
    public func type(_ text: String, enter: Bool = true) throws {
        try tmux("send-keys", "-t", name, "-l", text)
        if enter { try press("Enter") }
    }

    /// Presses a named key such as `Enter` or `C-c`.
    public func press(_ key: String) throws {
        try tmux("send-keys", "-t", name, key)
    }

    public func resize(width: Int, height: Int) throws {
        try tmux("resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)")
    }

    /// The screen and its scrollback as plain text, or with the colour and style sequences
    /// the program wrote (`styles`).
    public func capture(styles: Bool = false) throws -> String {
        try ChildProcess.run(["/usr/bin/tmux", "-L", socket, "capture-pane", "-p"] + (styles ? ["-e"] : []) + ["-S", "-2000", "-t", name]).stdout
    }

    /// The pane's title, which a program sets with OSC 0/2.
    public func title() throws -> String {
        try tmux("display-message", "-p", "-t", name, "#{pane_title}").stdout.trimmingCharacters(in: .newlines)
    }

    /// Waits until the screen contains `text`; returns the screen.
    @discardableResult
    public func waitFor(_ text: String, timeout: Double = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if screen.contains(text) { return screen }
            usleep(100_000)
        }
        throw FixtureError("timed out waiting for \(text.debugDescription); screen:\n\(screen)")
    }

    /// Waits for the program to end and returns its exit status (128+N for signal N).
    public func waitForExit(timeout: Double = 30) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: statusFile, encoding: .utf8),
                let status = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                return status
            }
            usleep(100_000)
        }
        throw FixtureError("the program did not exit within \(Int(timeout)) s; screen:\n\((try? capture()) ?? "")")
    }
}
