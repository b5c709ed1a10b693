import AutopodSupport

/// Puts a terminal in raw mode and guarantees the original settings come back: on `restore()`,
/// from `deinit`, and from an atexit handler in case the process exits another way.
final class TerminalMode {
    let fd: Int32
    private var original = termios()
    private var active = false

    /// The settings to restore at exit; a process has one controlling terminal, so one slot.
    /// Locked: a second Ctrl+C may call exit() on a signal thread while the shell's thread
    /// changes it.
    private static let exitRestore = LockedValue<(fd: Int32, settings: termios)?>(nil)
    private static let registerAtExit: Void = {
        atexit {
            if let saved = TerminalMode.exitRestore.current {
                var t = saved.settings
                tcsetattr(saved.fd, TCSADRAIN, &t)
            }
        }
    }()

    init(fd: Int32) {
        self.fd = fd
    }

    func makeRaw() throws(SSHError) {
        guard tcgetattr(fd, &original) == 0 else {
            throw SSHError(.notATerminal, "Cannot read the terminal settings: \(Posix.errorString()).")
        }
        _ = Self.registerAtExit
        Self.exitRestore.set((fd, original))
        var raw = original
        cfmakeraw(&raw)
        guard tcsetattr(fd, TCSADRAIN, &raw) == 0 else {
            Self.exitRestore.set(nil)
            throw SSHError(.notATerminal, "Cannot switch the terminal to raw mode: \(Posix.errorString()).")
        }
        active = true
    }

    func restore() {
        guard active else { return }
        tcsetattr(fd, TCSADRAIN, &original)
        active = false
        Self.exitRestore.set(nil)
    }

    deinit {
        restore()
    }

    static func windowSize(_ fd: Int32) -> (cols: Int32, rows: Int32) {
        var ws = winsize()
        if ioctl(fd, UInt(TIOCGWINSZ), &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0 {
            return (Int32(ws.ws_col), Int32(ws.ws_row))
        }
        return (80, 24)
    }
}
