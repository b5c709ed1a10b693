import AutopodSupport
import FoundationEssentials
import SSHKit

extension SSHSession {
    /// Runs `command` and returns how it ended with what it wrote to stdout (stderr is
    /// dropped). For short answers: the output goes through an unlinked temporary file, so a
    /// talkative command can never block on a full pipe nobody reads.
    public func capture(_ command: String) throws(SSHError) -> (exit: RemoteExit, output: String) {
        let devNull = open("/dev/null", O_WRONLY | O_CLOEXEC)
        defer { if devNull >= 0 { close(devNull) } }
        // Without a temporary file (a full /tmp) the command still runs; its answer is lost.
        guard let file = tmpfile() else { return (try exec(command, stdin: nil, stdout: devNull, stderr: devNull), "") }
        defer { fclose(file) }
        let exit = try exec(command, stdin: nil, stdout: fileno(file), stderr: devNull >= 0 ? devNull : fileno(file))
        rewind(file)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return (exit, String(decoding: bytes, as: UTF8.self))
    }
}
