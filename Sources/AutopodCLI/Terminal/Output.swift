import AutopodSupport

/// Lines a command prints beside its results, on stderr: notices (what happened, what comes
/// next), which `-q` silences, and warnings, which it never does.
enum Output {
    private static let quietMode = LockedValue(false)
    /// A `ProgressLine` is drawn on the terminal without its newline: a line printed now must
    /// first clear it, or it runs on from the progress ("waiting for sshd  2sFirst contact...").
    private static let progressDrawn = LockedValue(false)

    static func progressLine(drawn: Bool) { progressDrawn.set(drawn) }

    /// Clears an unfinished progress line (the next update draws it again).
    static func clearProgress() {
        let drawn = progressDrawn.withLock { drawn in
            defer { drawn = false }
            return drawn
        }
        if drawn { StandardStream.error.write("\r\u{1B}[2K") }
    }

    /// Set once by `GlobalOptions.bootstrap` from `-q`.
    static var quiet: Bool {
        get { quietMode.current }
        set { quietMode.set(newValue) }
    }

    /// A dim line, unless `-q`.
    static func notice(_ text: String) {
        guard !quiet else { return }
        clearProgress()
        StandardStream.error.write(Style.dim(text) + "\n")
    }

    /// A line of stdout that only confirms what was done (`✓ stopped ...`), unless `-q`.
    static func done(_ text: String) {
        guard !quiet else { return }
        print(text)
    }

    /// `! text` in yellow, always.
    static func warning(_ text: String) {
        clearProgress()
        StandardStream.error.write(Style.warn("!") + " " + text + "\n")
    }
}
