import AutopodSupport
import FoundationEssentials

/// Jupyter on a pod, one click away: RunPod's images start Jupyter with `JUPYTER_PASSWORD` as
/// its token, so autopod gives every pod one (generated once per AUTOPOD_HOME and kept 0600,
/// unless the user sets `JUPYTER_PASSWORD` themselves) and prints the URL with it.
public enum JupyterAccess {
    public static let port = 8888
    public static let variable = "JUPYTER_PASSWORD"

    /// The password pods get: the user's `JUPYTER_PASSWORD`, or autopod's, made on first use.
    /// It is added to the log redactor either way.
    public static func password(paths: AutopodPaths, environment: Environment = .process) throws -> String {
        if let own = environment[variable], !own.isEmpty {
            LogSetup.redactor.add(secret: own)
            return own
        }
        if let stored = storedPassword(paths: paths) { return stored }
        let alphabet = Array("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let made = String((0..<24).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        try paths.ensureHome()
        try PrivateFile.replace(paths.jupyterPassword.path, with: Array((made + "\n").utf8), mode: 0o600)
        LogSetup.redactor.add(secret: made)
        return made
    }

    /// The password autopod made earlier, if any (pods created since then have it).
    public static func storedPassword(paths: AutopodPaths) -> String? {
        guard let data = FileManager.default.contents(atPath: paths.jupyterPassword.path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        LogSetup.redactor.add(secret: text)
        return text
    }

    /// `base` (`http://localhost:8888`) with the token when the port is Jupyter's.
    public static func url(_ base: String, port: Int, password: String?) -> String {
        guard port == Self.port, let password else { return base + "/" }
        return base + "/?token=" + password
    }
}

/// RunPod's HTTPS proxy in front of every `N/http` port of a pod.
public enum RunPodProxyURL {
    public static func url(podID: String, port: Int) -> String { "https://\(podID)-\(port).proxy.runpod.net" }

    /// The pod's `http` ports, from its ports string (`8888/http,22/tcp`).
    public static func httpPorts(_ ports: String?) -> [Int] {
        guard let ports, case .success(let specs) = PortSpec.parseList(ports) else { return [] }
        return specs.filter { $0.kind == .http }.map(\.port)
    }
}
