import AutopodSupport
import Foundation
@testable import SSHKit
import TestSupport
import XCTest

/// A pseudo-terminal pair: the shell gets the slave side as its terminal, the test plays the
/// user on the master side.
final class PseudoTerminal: @unchecked Sendable {
    let master: Int32
    let slave: Int32
    private let lock = NSLock()
    private var output: [UInt8] = []
    private var reading = true

    init(cols: UInt16 = 100, rows: UInt16 = 30) throws {
        // openpty lives in glibc ≥ 2.34 but its header is not visible to Swift.
        typealias OpenPTY =
            @convention(c) (
                UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>, UnsafeMutablePointer<CChar>?,
                UnsafePointer<termios>?, UnsafePointer<winsize>?
            ) -> Int32
        guard let sym = dlsym(nil, "openpty") ?? dlsym(dlopen("libutil.so.1", RTLD_NOW), "openpty") else {
            throw FixtureError("openpty not found")
        }
        var m: Int32 = -1
        var s: Int32 = -1
        var ws = winsize(ws_row: rows, ws_col: cols, ws_xpixel: 0, ws_ypixel: 0)
        guard unsafeBitCast(sym, to: OpenPTY.self)(&m, &s, nil, nil, &ws) == 0 else { throw FixtureError("openpty failed") }
        master = m
        slave = s
        Thread { [self] in
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, 100) > 0 {
                    let n = read(master, &buf, buf.count)
                    if n <= 0 { break }
                    lock.lock(); output += buf[0..<n]; lock.unlock()
                }
                lock.lock(); let go = reading; lock.unlock()
                if !go { break }
            }
        }.start()
    }

    func type(_ text: String) {
        _ = text.withCString { write(master, $0, strlen($0)) }
    }

    var text: String {
        lock.lock(); defer { lock.unlock() }
        return String(decoding: output, as: UTF8.self)
    }

    func waitFor(_ needle: String, timeout: Double = 10) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if text.contains(needle) { return true }
            usleep(20_000)
        }
        return false
    }

    deinit {
        lock.lock(); reading = false; lock.unlock()
        usleep(150_000)
        close(slave)
        close(master)
    }
}

final class InteractiveShellTests: SSHTestCase {
    func testShellGetsTermAndWindowSizeAndReturnsExitStatus() throws {
        let session = try connect()
        let pty = try PseudoTerminal(cols: 100, rows: 30)
        var before = termios()
        tcgetattr(pty.slave, &before)
        pty.type("echo T=$TERM S=$(stty size); exit 7\r")
        let exit = try InteractiveShell(session: session, term: "vt100", stdin: pty.slave, stdout: pty.slave, stderr: pty.slave).run()
        XCTAssertEqual(exit, .status(7))
        XCTAssertTrue(pty.waitFor("T=vt100 S=30 100"), pty.text)
        var after = termios()
        tcgetattr(pty.slave, &after)
        XCTAssertEqual(after.c_lflag, before.c_lflag, "terminal settings must be restored")
        XCTAssertEqual(after.c_iflag, before.c_iflag)
        XCTAssertEqual(after.c_oflag, before.c_oflag)
    }

    func testTildeDotDisconnectsAndRestoresTerminal() throws {
        let session = try connect()
        let pty = try PseudoTerminal()
        var before = termios()
        tcgetattr(pty.slave, &before)
        pty.type("echo ready\r")
        let typer = Thread { [pty] in
            _ = pty.waitFor("ready\r\n")
            pty.type("sleep 100\r~.")
        }
        typer.start()
        let start = Date()
        let exit = try InteractiveShell(session: session, term: "vt100", stdin: pty.slave, stdout: pty.slave, stderr: pty.slave).run()
        XCTAssertEqual(exit, .disconnectedByUser)
        XCTAssertEqual(exit.exitCode, 255)
        XCTAssertLessThan(Date().timeIntervalSince(start), 30)
        var after = termios()
        tcgetattr(pty.slave, &after)
        XCTAssertEqual(after.c_lflag, before.c_lflag)
    }

    func testWindowChangeIsSentOnSIGWINCH() throws {
        let session = try connect()
        let pty = try PseudoTerminal(cols: 80, rows: 24)
        pty.type("echo ready\r")
        let user = Thread { [pty] in
            _ = pty.waitFor("ready\r\n")
            var ws = winsize(ws_row: 40, ws_col: 120, ws_xpixel: 0, ws_ypixel: 0)
            _ = ioctl(pty.slave, UInt(TIOCSWINSZ), &ws)
            kill(getpid(), SIGWINCH)
            usleep(500_000)
            pty.type("echo S=$(stty size); exit 0\r")
        }
        user.start()
        let exit = try InteractiveShell(session: session, term: "vt100", stdin: pty.slave, stdout: pty.slave, stderr: pty.slave).run()
        XCTAssertEqual(exit, .status(0))
        XCTAssertTrue(pty.waitFor("S=40 120"), pty.text)
    }

    func testNonTerminalStdinIsRefused() throws {
        let session = try connect()
        var fds: [Int32] = [-1, -1]
        pipe(&fds)
        defer { close(fds[0]); close(fds[1]) }
        XCTAssertThrowsError(try InteractiveShell(session: session, stdin: fds[0]).run()) { error in
            XCTAssertEqual((error as? SSHError)?.kind, .notATerminal)
            XCTAssertTrue("\(error)".contains("not a terminal"), "\(error)")
        }
    }

    func testEscapeFilter() {
        var f = EscapeFilter()
        XCTAssertEqual(f.filter(Array("ab~c".utf8)).send, Array("ab~c".utf8), "~ mid-line is plain")
        XCTAssertEqual(f.filter(Array("\r~~x".utf8)).send, Array("\r~x".utf8), "~~ sends one ~")
        let help = f.filter(Array("\n~?".utf8))
        XCTAssertEqual(help.send, Array("\n".utf8))
        XCTAssertEqual(help.actions, [.help])
        var g = EscapeFilter()
        let split1 = g.filter(Array("~".utf8))
        XCTAssertEqual(split1.send, [])
        let split2 = g.filter(Array(".".utf8))
        XCTAssertEqual(split2.actions, [.disconnect], "an escape split across reads still counts")
        var h = EscapeFilter()
        XCTAssertEqual(h.filter(Array("~z".utf8)).send, Array("~z".utf8), "unknown escape is passed through")
    }
}

final class ShellWithForwardsTests: SSHTestCase {
    func testForwardsRunOnTheShellsSession() throws {
        let echo = try TCPTestServer(mode: .echo)
        defer { echo.stop() }
        let forwarder = try PortForwarder([ForwardSpec(localPort: 0, remoteHost: "127.0.0.1", remotePort: echo.port)])
        let session = try connect()
        let pty = try PseudoTerminal()
        let problem = LockedValue<String?>("not run")
        let port = forwarder.boundPorts[0]
        pty.type("echo ready\r")
        let user = Thread { [pty] in
            _ = pty.waitFor("ready\r\n")
            let fd = connectLoopback(port: port)
            problem.set(echoRoundTrip(fd: fd, seed: 5, total: 2_000_000))
            close(fd)
            pty.type("exit 5\r")
        }
        user.start()
        let exit = try InteractiveShell(session: session, term: "vt100", stdin: pty.slave, stdout: pty.slave, stderr: pty.slave)
            .run(alongside: forwarder)
        XCTAssertEqual(exit, .status(5))
        XCTAssertNil(problem.current)
        XCTAssertEqual(forwarder.stats()[0].bytesToLocal, 2_000_000)
    }
}
