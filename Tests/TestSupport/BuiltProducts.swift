import Foundation

/// The executables `swift build` made, found next to the running test bundle.
public enum BuiltProducts {
    public static var directory: URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        // The test runner is `<products>/<package>PackageTests.xctest` (a file on Linux, a bundle on macOS).
        while url.pathComponents.count > 1 && !FileManager.default.fileExists(atPath: url.appendingPathComponent("autopod").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    public static var autopod: String { directory.appendingPathComponent("autopod").path }
    public static var runpodSim: String { directory.appendingPathComponent("runpod-sim").path }

    /// A PATH with the system folders but without any `ssh` client, to prove autopod never runs one.
    public static func pathWithoutSSH(in scratch: URL) -> String {
        let bin = scratch.appendingPathComponent("bin-no-ssh")
        try? FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        for tool in ["sh", "bash", "env", "cat", "sleep", "true", "false", "ssh-keygen", "tmux", "sha256sum", "head", "wc", "stty", "kill"] {
            for dir in ["/usr/bin", "/bin", "/usr/sbin"] where FileManager.default.fileExists(atPath: "\(dir)/\(tool)") {
                try? FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(tool).path, withDestinationPath: "\(dir)/\(tool)")
                break
            }
        }
        return bin.path
    }
}
