import Foundation

/// A real terminal: a detached tmux session on a private server, driven with send-keys and
/// read with capture-pane.
public final class TmuxSession {
    public let socket: String
    public let name = "t"

    /// Starts `command` (a shell command line) in a new session of `width`×`height`.
    public init(command: String, environment: [String: String] = [:], width: Int = 120, height: Int = 40) throws {
        socket = "autopod-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let exports = environment.map { "export \($0.key)=\(Self.quote($0.value));" }.joined(separator: " ")
        let result = try ProcessRunner.run(
            "/usr/bin/tmux",
            ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
             "bash --norc --noprofile -c \(Self.quote(exports + " " + command + "; echo \"[exit $?]\"; sleep 600"))"],
            discardOutput: true)
        guard result.status == 0 else { throw TmuxError(message: "tmux new-session failed: \(result.stderr)") }
    }

    deinit {
        _ = try? ProcessRunner.run("/usr/bin/tmux", ["-L", socket, "kill-server"], discardOutput: true)
    }

    /// Types `text` literally, then presses Enter if asked.
    public func type(_ text: String, enter: Bool = true) throws {
        _ = try ProcessRunner.run("/usr/bin/tmux", ["-L", socket, "send-keys", "-t", name, "-l", text])
        if enter { try press("Enter") }
    }

    /// Presses a named key such as `Enter` or `C-c`.
    public func press(_ key: String) throws {
        _ = try ProcessRunner.run("/usr/bin/tmux", ["-L", socket, "send-keys", "-t", name, key])
    }

    public func resize(width: Int, height: Int) throws {
        _ = try ProcessRunner.run("/usr/bin/tmux", ["-L", socket, "resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// The screen and its scrollback as plain text.
    public func capture() throws -> String {
        try ProcessRunner.run("/usr/bin/tmux", ["-L", socket, "capture-pane", "-p", "-S", "-2000", "-t", name]).stdout
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
        throw TmuxError(message: "timed out waiting for \(text.debugDescription); screen:\n\(screen)")
    }

    /// The exit status printed after the command ended, once it has.
    public func waitForExit(timeout: Double = 30) throws -> Int32 {
        let screen = try waitFor("[exit ", timeout: timeout)
        guard let range = screen.range(of: #"\[exit (\d+)\]"#, options: .regularExpression) else { return -1 }
        return Int32(screen[range].dropFirst(6).dropLast()) ?? -1
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

public struct TmuxError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
