import Foundation
import SSHKit
import TestSupport
import XCTest

/// Shared set-up: one private sshd per test, and an authenticated session on demand.
class SSHTestCase: XCTestCase {
    var sshd: SSHDFixture!

    override func setUpWithError() throws {
        sshd = try SSHDFixture()
    }

    override func tearDown() {
        sshd = nil
    }

    var endpoint: SSHEndpoint { SSHEndpoint(host: "127.0.0.1", port: sshd.port, user: sshd.user) }

    func connect() throws -> SSHSession {
        let session = try SSHSession(connectingTo: endpoint)
        try session.authenticate(SSHCredentials(keyFiles: [sshd.clientKey], useAgent: false))
        return session
    }

    /// Runs `command` and returns (exit, stdout, stderr) captured through pipes read on threads.
    func run(_ session: SSHSession, _ command: String, stdin: [UInt8]? = nil) throws -> (RemoteExit, String, String) {
        let out = try CapturePipe()
        let err = try CapturePipe()
        var inPipe: [Int32] = [-1, -1]
        var feeder: Thread?
        if let stdin {
            pipe(&inPipe)
            let writeFD = inPipe[1]
            feeder = Thread {
                stdin.withUnsafeBytes { raw in
                    var off = 0
                    while off < raw.count {
                        let n = write(writeFD, raw.baseAddress! + off, raw.count - off)
                        if n <= 0 { break }
                        off += n
                    }
                }
                close(writeFD)
            }
            feeder?.start()
        }
        let exit = try session.exec(command, stdin: stdin == nil ? nil : inPipe[0], stdout: out.writeFD, stderr: err.writeFD)
        if stdin != nil { close(inPipe[0]) }
        return (exit, String(decoding: out.finish(), as: UTF8.self), String(decoding: err.finish(), as: UTF8.self))
    }
}

/// A pipe whose read end is drained on a thread into memory.
final class CapturePipe: @unchecked Sendable {
    let writeFD: Int32
    private let readFD: Int32
    private var data: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw FixtureError("pipe failed") }
        readFD = fds[0]
        writeFD = fds[1]
        Thread { [self] in
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(readFD, &buf, buf.count)
                if n <= 0 { break }
                data += buf[0..<n]
            }
            close(readFD)
            done.signal()
        }.start()
    }

    func finish() -> [UInt8] {
        close(writeFD)
        done.wait()
        return data
    }
}
