import AutopodSupport

/// Lines a command prints beside its results, on stderr: notices (what happened, what comes
/// next), which `-q` silences, and warnings, which it never does.
enum Output {
    private static let quietMode = LockedValue(false)

    /// Set once by `GlobalOptions.bootstrap` from `-q`.
    static var quiet: Bool {
        get { quietMode.current }
        set { quietMode.set(newValue) }
    }

    /// A dim line, unless `-q`.
    static func notice(_ text: String) {
        guard !quiet else { return }
        StandardStream.error.write(Style.dim(text) + "\n")
    }

    /// A line of stdout that only confirms what was done (`✓ stopped ...`), unless `-q`.
    static func done(_ text: String) {
        guard !quiet else { return }
        print(text)
    }

    /// `! text` in yellow, always.
    static func warning(_ text: String) {
        StandardStream.error.write(Style.warn("!") + " " + text + "\n")
    }
}
