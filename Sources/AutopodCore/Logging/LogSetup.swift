import AutopodSupport
import FoundationEssentials
import Logging

/// Installs autopod's log handler once per process.
public enum LogSetup {
    public static let redactor = RedactorBox()

    /// `verbosity`: -2 for errors only (commands with their own status display, like `tunnel`),
    /// -1 for warnings only (`-q`), 0 for info, 1 for debug (`-v`) on stderr.
    /// The file always receives debug and above.
    public static func bootstrap(paths: AutopodPaths, verbosity: Int) {
        let console: Logger.Level = verbosity < -1 ? .error : verbosity < 0 ? .warning : verbosity == 0 ? .info : .debug
        let file: RotatingLogFile? = (try? paths.ensureHome()) != nil ? RotatingLogFile(url: paths.log) : nil
        LoggingSystem.bootstrap { label in
            AutopodLogHandler(label: label, file: file, fileLevel: .debug, consoleLevel: console, redactor: redactor)
        }
    }
}
