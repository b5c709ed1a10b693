import AutopodSupport

/// The command line `exec` sends to a pod: what the user wrote after `--`, in the pod's
/// environment, as a plain shell would run it.
public enum RemoteCommandLine {
    /// One word is a shell command line, as with ssh (`'cd /workspace && ls'`); several words
    /// are an argv, each quoted so the remote program gets exactly those arguments, as `docker
    /// exec` and `kubectl exec` do (`sh -c 'echo a; echo b'` stays one `sh` with two arguments).
    public static func command(_ words: [String]) -> String {
        if words.count == 1 { return words[0] }
        return words.map(quote).joined(separator: " ")
    }

    /// POSIX shell single quoting: everything literal, `'` written as `'\''`.
    public static func quote(_ word: String) -> String {
        "'" + word.replacing("'", with: #"'\''"#) + "'"
    }

    /// Sources the pod's environment file first (RunPod writes the pod's env vars there; a plain
    /// exec session would not see them), then runs `command`. The `:` between them gives the
    /// command a `$?` of 0 and makes an empty command succeed, as in a fresh shell, whether or
    /// not the file exists. A newline, not `;`, ends the prefix, so a command that starts with
    /// a comment or a here-document still parses as it would on its own.
    ///
    /// With a `tag`, the command and everything it starts carry `AUTOPOD_EXEC_ID=tag` in their
    /// environment, which is how `stop(tag:signal:)` finds them.
    public static func wrapped(_ command: String, tag: String? = nil) -> String {
        let export = tag.map { "export AUTOPOD_EXEC_ID=\($0); " } ?? ""
        return export + "[ -f /etc/rp_environment ] && . /etc/rp_environment; :\n" + command
    }

    /// A fresh tag for `wrapped`: 16 hex digits, so no other command's tag contains it.
    public static func newTag() -> String {
        let value = UInt64.random(in: 0...UInt64.max)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// A command line that sends `signal` (a name without SIG) to the job run by
    /// `wrapped(_:tag:)`, as a terminal's Ctrl+C reaches a whole foreground job: every process
    /// group that holds a process whose environment carries `tag`. The exported tag shows only
    /// in the environment of what the command started, but sshd runs the command's shell as a
    /// session leader whose group those processes share, so the shell is signalled too. It runs
    /// in a second session, so it must not carry the tag itself, and it reads /proc (every
    /// RunPod pod runs Linux). A command with no process of its own (a loop of builtins) has
    /// nothing to find: that case ends when the channel closes.
    public static func stop(tag: String, signal: String) -> String {
        #"t="AUTOPOD_EXEC_ID=\#(tag)"; seen=" "; for d in /proc/[0-9]*; do "#
            + #"case "$(tr '\0' '\n' 2>/dev/null < "$d/environ")" in *"$t"*) "#
            + #"s=$(cat "$d/stat" 2>/dev/null) || continue; s=${s##*) }; set -- $s; "#
            + #"case "$seen" in *" $3 "*) ;; *) seen="$seen$3 "; kill -s \#(signal) -- "-$3" 2>/dev/null;; esac;; esac; "#
            + "done; true"
    }
}
