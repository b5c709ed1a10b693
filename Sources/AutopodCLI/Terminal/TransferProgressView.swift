import AutopodCore
import AutopodSupport
import SSHKit

/// Progress of `cp` and `sync` on stderr: on a terminal one line redrawn a few times a second
/// (percent, bytes, rate, ETA, files); in a pipe a plain line every few seconds (a log should
/// not fill with carriage returns); nothing with `-q` or `--json`. Reconnects are always said.
final class TransferProgressView {
    enum Mode {
        case terminal
        case lines
        case silent
    }

    let mode: Mode
    private let label: String
    private var visible = false
    private var samples: [(time: Double, bytes: UInt64)] = []
    private var lastDraw = 0.0
    private var lastLine = 0.0
    private let clockStart = ContinuousClock.now
    /// Seconds since the view was made.
    private var elapsed: Double { clockStart.duration(to: .now).seconds }

    init(label: String, quiet: Bool) {
        self.label = label
        if quiet {
            mode = .silent
        } else {
            mode = isatty(STDERR_FILENO) == 1 && Environment.process["TERM"] != "dumb" ? .terminal : .lines
        }
    }

    /// Bytes per second over the last few seconds.
    private func rate(_ now: Double, _ transferred: UInt64) -> Double {
        samples.append((now, transferred))
        while let first = samples.first, now - first.time > 3, samples.count > 2 { samples.removeFirst() }
        guard let first = samples.first, now - first.time > 0.2 else { return 0 }
        return Double(transferred - min(transferred, first.bytes)) / (now - first.time)
    }

    func update(_ progress: TransferProgress) {
        guard mode != .silent else { return }
        let now = elapsed
        let speed = rate(now, progress.bytesTransferred)
        let percent = progress.bytesTotal > 0 ? Double(progress.bytesDone) / Double(progress.bytesTotal) * 100 : 100
        let left = progress.bytesTotal - min(progress.bytesTotal, progress.bytesDone)
        let eta = speed > 0 ? ByteText.clock(Double(left) / speed) : "--:--"
        let files = "\(ByteText.count(progress.filesDone))/\(ByteText.count(progress.filesTotal)) files"
        switch mode {
        case .terminal:
            guard now - lastDraw >= 0.1 || progress.finished else { return }
            lastDraw = now
            var line = "\(percent.fixed(0).leftPadded(3))%  \(ByteText.size(progress.bytesDone)) / \(ByteText.size(progress.bytesTotal))  \(ByteText.rate(speed))  ETA \(eta)  \(files)"
            if let path = progress.currentPath {
                let room = max(0, Terminal.width - line.count - 2)
                if room > 8 { line += "  " + Self.shorten(path, to: room) }
            }
            StandardStream.error.write("\r\u{1B}[2K" + Style.dim(line))
            visible = true
        case .lines:
            guard now - lastLine >= 5, now >= 2 else { return }
            lastLine = now
            StandardStream.error.write("\(label): \(percent.fixed(0))% (\(ByteText.size(progress.bytesDone)) of \(ByteText.size(progress.bytesTotal))), \(ByteText.rate(speed)), \(files)\n")
        case .silent:
            break
        }
    }

    func event(_ event: FileSessionEvent) {
        let text: String
        switch event {
        case .connected: text = "\(label): reconnected; resuming"
        case .reconnecting(let reason, _, let delay):
            text = "\(label): connection lost (\(reason)); reconnecting in \(delay.seconds.fixed(0)) s"
        }
        clear()
        StandardStream.error.write(Style.warn(text) + "\n")
    }

    /// Takes the progress line off the screen.
    func clear() {
        if visible {
            StandardStream.error.write("\r\u{1B}[2K")
            visible = false
        }
    }

    static func shorten(_ path: String, to width: Int) -> String {
        guard path.count > width else { return path }
        return "…" + path.suffix(width - 1)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// The terminal's width, for the progress line (80 when unknown).
enum Terminal {
    static var width: Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
