import AutopodSupport
import Foundation
import SSHKit
import TestSupport
import XCTest

final class KnownHostsFileTests: SSHTestCase {
    var dir = ""
    var file: KnownHostsFile!

    override func setUpWithError() throws {
        try super.setUpWithError()
        dir = try makeTempDirectory(prefix: "kh") + "/home"
        file = KnownHostsFile(path: dir + "/known_hosts")
    }

    func testFirstContactPinsAndOpenSSHFindsTheEntry() throws {
        let session = try SSHSession(connectingTo: endpoint)
        let verdict = try file.verify(podID: "pod-a", endpoint: endpoint, presented: session.hostKey, restartSeenSincePinned: false, acceptNew: false)
        XCTAssertEqual(verdict.outcome, .pinned)
        XCTAssertEqual(verdict.fingerprint, session.hostKey.fingerprint)
        XCTAssertTrue(verdict.notice?.contains(session.hostKey.fingerprint) ?? false)
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        XCTAssertEqual(text, "[127.0.0.1]:\(sshd.port) ssh-ed25519 \(session.hostKey.base64) autopod-pod=pod-a\n")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int, 0o600)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int, 0o700)
        let found = try ChildProcess.run(["/usr/bin/ssh-keygen", "-F", "[127.0.0.1]:\(sshd.port)", "-f", file.path])
        XCTAssertEqual(found.status, 0, "\(found)")
        XCTAssertTrue(found.stdout.contains(session.hostKey.base64), "\(found)")
        // Second contact: trusted, file unchanged.
        XCTAssertEqual(try file.verify(podID: "pod-a", endpoint: endpoint, presented: session.hostKey, restartSeenSincePinned: false, acceptNew: false).outcome, .trusted)
        XCTAssertEqual(try String(contentsOfFile: file.path, encoding: .utf8), text)
    }

    func testChangedHostKeyIsRefusedThenAcceptedAfterRestartThenForgotten() throws {
        let first = try SSHSession(connectingTo: endpoint).hostKey
        try file.verify(podID: "pod-a", endpoint: endpoint, presented: first, restartSeenSincePinned: false, acceptNew: false)
        try "# keep me\nnot a valid line\n".write(toFile: dir + "/extra", atomically: true, encoding: .utf8)
        let original = try String(contentsOfFile: file.path, encoding: .utf8)
        try ("# keep me\nnot a valid line\n" + original).write(toFile: file.path, atomically: true, encoding: .utf8)

        try sshd.restart(newHostKey: true)
        let second = try SSHSession(connectingTo: endpoint).hostKey
        XCTAssertNotEqual(first, second)
        XCTAssertThrowsError(try file.verify(podID: "pod-a", endpoint: endpoint, presented: second, restartSeenSincePinned: false, acceptNew: false)) { error in
            let e = error as! SSHError
            XCTAssertEqual(e.kind, .hostKeyChanged)
            XCTAssertTrue(e.description.contains(first.fingerprint) && e.description.contains(second.fingerprint), e.description)
            XCTAssertTrue(e.description.contains("intercepted"), e.description)
        }
        let verdict = try file.verify(podID: "pod-a", endpoint: endpoint, presented: second, restartSeenSincePinned: true, acceptNew: false)
        XCTAssertEqual(verdict.outcome, .replaced)
        XCTAssertTrue(verdict.notice?.contains(first.fingerprint) ?? false)
        XCTAssertTrue(verdict.notice?.contains("restarted") ?? false)
        let text = try String(contentsOfFile: file.path, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# keep me\nnot a valid line\n"), text)
        XCTAssertTrue(text.contains(second.base64))
        XCTAssertFalse(text.contains(first.base64))

        XCTAssertEqual(try file.forget(podID: "pod-a"), 1)
        XCTAssertEqual(try String(contentsOfFile: file.path, encoding: .utf8), "# keep me\nnot a valid line\n")
        XCTAssertEqual(try file.verify(podID: "pod-a", endpoint: endpoint, presented: second, restartSeenSincePinned: false, acceptNew: false).outcome, .pinned)
    }

    func testBareHostVerification() throws {
        let key = try SSHSession(connectingTo: endpoint).hostKey
        XCTAssertEqual(try file.verify(endpoint: endpoint, presented: key).outcome, .pinned)
        XCTAssertEqual(try file.verify(endpoint: endpoint, presented: key).outcome, .trusted)
        try sshd.restart(newHostKey: true)
        let other = try SSHSession(connectingTo: endpoint).hostKey
        XCTAssertThrowsError(try file.verify(endpoint: endpoint, presented: other))
        XCTAssertEqual(try file.verify(endpoint: endpoint, presented: other, acceptNew: true).outcome, .replaced)
    }
}
