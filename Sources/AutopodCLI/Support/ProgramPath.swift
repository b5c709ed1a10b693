import AutopodCore
import AutopodSupport

/// Finds a desktop program (`code`, `cursor`, `xdg-open`) on PATH, as the shell would.
enum ProgramPath {
    static func find(_ name: String, environment: Environment) -> String? {
        for directory in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
