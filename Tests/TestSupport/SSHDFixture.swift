import AutopodSupport
import Foundation

/// A private OpenSSH server on a random loopback port, with its own host key, authorized_keys
/// and log in a temporary directory. Stops (with every process it started) in deinit.
public final class SSHDFixture: @unchecked Sendable {
    public let directory: String
    public private(set) var port: Int
    public let user: String
    /// An unencrypted ed25519 client key that is authorized.
    public private(set) var clientKey: String = ""
    public private(set) var hostKeyPath: String
    private var sshd: ChildProcess?

    public init() throws {
        directory = try makeTempDirectory(prefix: "sshd-fixture")
        port = try freeLoopbackPort()
        user = currentUserName()
        hostKeyPath = directory + "/host_ed25519"
        _ = FileManager.default.createFile(atPath: directory + "/authorized_keys", contents: Data())
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        try Self.keygen(type: "ed25519", path: hostKeyPath)
        clientKey = try makeClientKey(name: "client_ed25519")
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    public var logPath: String { directory + "/sshd.log" }
    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Creates a client key; authorized unless told otherwise. Returns the private key path.
    @discardableResult
    public func makeClientKey(name: String, type: String = "ed25519", passphrase: String = "", authorize: Bool = true) throws -> String {
        let path = directory + "/" + name
        try Self.keygen(type: type, path: path, passphrase: passphrase)
        if authorize {
            let pub = try String(contentsOfFile: path + ".pub", encoding: .utf8)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/authorized_keys"))
            handle.seekToEndOfFile()
            handle.write(pub.data(using: .utf8)!)
            try handle.close()
        }
        return path
    }

    /// Replaces the host key, as a restarted container would; takes effect on the next start.
    public func regenerateHostKey() throws {
        try? FileManager.default.removeItem(atPath: hostKeyPath)
        try? FileManager.default.removeItem(atPath: hostKeyPath + ".pub")
        try Self.keygen(type: "ed25519", path: hostKeyPath)
    }

    /// sshd's LogLevel from the next start (INFO is OpenSSH's default, and a pod's).
    public var logLevel = "VERBOSE"
    /// More sshd_config lines from the next start.
    public var extraConfig = ""
    /// The program sshd runs for the sftp subsystem, from the next start.
    public var sftpServer = "/usr/lib/openssh/sftp-server"

    public func start() throws {
        // A second sshd would fail to bind, and the first would outlive the fixture unkilled.
        guard sshd == nil else { throw FixtureError("sshd is already running on port \(port)") }
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKeyPath)
            AuthorizedKeysFile \(directory)/authorized_keys
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin yes
            PidFile \(directory)/sshd.pid
            AllowTcpForwarding yes
            LogLevel \(logLevel)
            Subsystem sftp \(sftpServer)
            \(extraConfig)
            """
        try config.write(toFile: directory + "/sshd_config", atomically: true, encoding: .utf8)
        let p = try ChildProcess(["/usr/sbin/sshd", "-D", "-f", directory + "/sshd_config", "-E", logPath])
        sshd = p
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if bannerAnswers(port: port) { return }
            if !p.isRunning { break }
            usleep(20_000)
        }
        throw FixtureError("sshd did not start on port \(port); log:\n\(log)")
    }

    /// Kills sshd and every connection it serves (its whole process tree), as a crashed or
    /// restarted pod would.
    public func stop() {
        guard let p = sshd else { return }
        sshd = nil
        for child in descendants(of: p.pid) { kill(child, SIGKILL) }
        p.signal(SIGKILL)
        p.wait()
    }

    public func restart(newHostKey: Bool = false) throws {
        stop()
        if newHostKey { try regenerateHostKey() }
        try start()
    }

    static func keygen(type: String, path: String, passphrase: String = "") throws {
        var args = ["-q", "-t", type, "-N", passphrase, "-C", "fixture-\(type)", "-f", path]
        if type == "rsa" { args += ["-b", "2048"] }
        let made = try ChildProcess.run(["/usr/bin/ssh-keygen"] + args, mergingErrors: true)
        guard made.status == 0 else { throw FixtureError("ssh-keygen failed: \(made.stdout)") }
    }
}

public func makeTempDirectory(prefix: String) throws -> String {
    var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else { throw FixtureError("mkdtemp failed") }
    return String(cString: made)
}

public func currentUserName() -> String {
    guard let pw = getpwuid(getuid()) else { return "root" }
    return String(cString: pw.pointee.pw_name)
}

/// A port that was free a moment ago (bind to 0, read it back, close).
public func freeLoopbackPort() throws -> Int { Int(try FreePort.allocate()) }

/// Connects to 127.0.0.1:port; returns the fd or -1.
public func connectLoopback(port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = UInt16(port).bigEndian
    let rc = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    if rc != 0 {
        close(fd)
        return -1
    }
    return fd
}

func bannerAnswers(port: Int) -> Bool {
    let fd = connectLoopback(port: port)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var tv = timeval(tv_sec: 1, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var buf = [UInt8](repeating: 0, count: 8)
    let n = recv(fd, &buf, 8, Int32(MSG_WAITALL))
    return n >= 4 && String(decoding: buf[0..<4], as: UTF8.self) == "SSH-"
}

/// Every process whose ancestry leads to `pid`, read from /proc.
func descendants(of pid: Int32) -> [Int32] {
    var parentOf: [Int32: Int32] = [:]
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    for entry in entries {
        guard let child = Int32(entry),
            let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { continue }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        if fields.count > 1, let ppid = Int32(fields[1]) { parentOf[child] = ppid }
    }
    var result: [Int32] = []
    var frontier: Set<Int32> = [pid]
    while !frontier.isEmpty {
        let next = parentOf.filter { frontier.contains($0.value) }.map(\.key)
        result += next
        frontier = Set(next)
    }
    return result
}
