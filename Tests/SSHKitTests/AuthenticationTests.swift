import Foundation
import SSHKit
import TestSupport
import XCTest

final class AuthenticationTests: SSHTestCase {
    func testEd25519KeyFile() throws {
        let session = try SSHSession(connectingTo: endpoint)
        try session.authenticate(SSHCredentials(keyFiles: [sshd.clientKey], useAgent: false))
        XCTAssertTrue(session.isAuthenticated)
        XCTAssertTrue(sshd.log.contains("Accepted publickey"), sshd.log)
    }

    func testEcdsaKeyFile() throws {
        let key = try sshd.makeClientKey(name: "client_ecdsa", type: "ecdsa")
        let session = try SSHSession(connectingTo: endpoint)
        try session.authenticate(SSHCredentials(keyFiles: [key], useAgent: false))
        XCTAssertTrue(session.isAuthenticated)
    }

    func testEncryptedKeyAsksForPassphraseWithItsPath() throws {
        let key = try sshd.makeClientKey(name: "client_locked", passphrase: "correct horse")
        let session = try SSHSession(connectingTo: endpoint)
        var asked: [String] = []
        try session.authenticate(SSHCredentials(keyFiles: [key], useAgent: false)) { path in
            asked.append(path)
            return "correct horse"
        }
        XCTAssertEqual(asked, [key])
        XCTAssertTrue(session.isAuthenticated)
    }

    func testUnencryptedKeyDoesNotAskForPassphrase() throws {
        let session = try SSHSession(connectingTo: endpoint)
        var asked = 0
        try session.authenticate(SSHCredentials(keyFiles: [sshd.clientKey], useAgent: false)) { _ in
            asked += 1
            return nil
        }
        XCTAssertEqual(asked, 0)
    }

    func testWrongPassphraseNamesTheKeyAndTheCode() throws {
        let key = try sshd.makeClientKey(name: "client_locked", passphrase: "right")
        let session = try SSHSession(connectingTo: endpoint)
        XCTAssertThrowsError(try session.authenticate(SSHCredentials(keyFiles: [key], useAgent: false)) { _ in "hunter2-guess" }) { error in
            let e = error as! SSHError
            XCTAssertEqual(e.kind, .authentication)
            XCTAssertTrue(e.description.contains(key), e.description)
            XCTAssertTrue(e.description.contains("passphrase"), e.description)
            XCTAssertTrue(e.description.contains("libssh2 -"), e.description)
            XCTAssertFalse(e.description.contains("hunter2"), "the passphrase must never appear: \(e.description)")
        }
        XCTAssertFalse(session.isAuthenticated)
    }

    func testUnauthorizedKeyReportsServerRefusal() throws {
        let key = try sshd.makeClientKey(name: "stranger", authorize: false)
        let session = try SSHSession(connectingTo: endpoint)
        XCTAssertThrowsError(try session.authenticate(SSHCredentials(keyFiles: [key], useAgent: false))) { error in
            let e = error as! SSHError
            XCTAssertEqual(e.kind, .authentication)
            XCTAssertEqual(e.code, -18)
            XCTAssertEqual(e.endpoint, endpoint)
            XCTAssertTrue(e.description.contains("stranger"), e.description)
            XCTAssertTrue(e.description.contains("refused by the server (libssh2 -18"), e.description)
        }
    }

    /// sshd's MaxAuthTries ends the login (SSH_MSG_DISCONNECT, then the close) instead of
    /// answering the attempt that uses it up: a refusal to report, not a dropped connection to
    /// retry. The TCP close can arrive after libssh2 has read the message, so the message itself
    /// must decide (this failed in CI when only the socket was checked).
    func testTooManyRefusedKeysIsAnAuthenticationFailureNotADroppedConnection() throws {
        sshd.stop()
        sshd.extraConfig = "MaxAuthTries 2"
        try sshd.start()
        let keys = try ["stranger1", "stranger2"].map { try sshd.makeClientKey(name: $0, authorize: false) } + [sshd.clientKey]
        let session = try SSHSession(connectingTo: endpoint)
        XCTAssertThrowsError(try session.authenticate(SSHCredentials(keyFiles: keys, useAgent: false))) { error in
            let e = error as! SSHError
            XCTAssertEqual(e.kind, .authentication, e.description)
            XCTAssertTrue(e.description.contains("stranger1: refused by the server"), e.description)
            XCTAssertTrue(
                e.description.contains("stranger2: not answered: the server ended the login after 1 refused (it said: Too many authentication failures)"),
                e.description)
            XCTAssertFalse(e.description.contains(sshd.clientKey), "no key is tried after the server ended the login: \(e.description)")
        }
    }

    func testRSAKeyFileIsRefusedWithExplanation() throws {
        let key = try sshd.makeClientKey(name: "client_rsa", type: "rsa")
        XCTAssertEqual(try PrivateKeyInspector.inspect(path: key).keyType, "ssh-rsa")
        let session = try SSHSession(connectingTo: endpoint)
        XCTAssertThrowsError(try session.authenticate(SSHCredentials(keyFiles: [key], useAgent: false))) { error in
            let e = error as! SSHError
            XCTAssertEqual(e.kind, .unsupportedKey)
            XCTAssertTrue(e.description.contains(key), e.description)
            XCTAssertTrue(e.description.contains("ssh-rsa (SHA-1)"), e.description)
            // SSHKit says what failed; what to run next is autopod's to add (SSHError.advice).
            XCTAssertFalse(e.description.contains("autopod"), e.description)
            XCTAssertEqual(e.endpoint, endpoint)
        }
        // Refused before it reached the server: no wasted MaxAuthTries slot.
        XCTAssertFalse(sshd.log.contains("ssh-rsa not in PubkeyAcceptedAlgorithms"))
    }

    func testAgentSkipsRSAAndUsesEd25519() throws {
        let agent = try SSHAgentFixture()
        let rsa = try sshd.makeClientKey(name: "agent_rsa", type: "rsa")
        let ed = try sshd.makeClientKey(name: "agent_ed25519")
        try agent.add(rsa)
        try agent.add(ed)
        let session = try SSHSession(connectingTo: endpoint)
        try session.authenticate(SSHCredentials(keyFiles: [], useAgent: true, agentSocketPath: agent.socketPath))
        XCTAssertTrue(session.isAuthenticated)
        XCTAssertFalse(sshd.log.contains("ssh-rsa not in PubkeyAcceptedAlgorithms"), "RSA must not be offered")
    }

    func testAgentWithOnlyUnknownKeysFails() throws {
        let agent = try SSHAgentFixture()
        let stranger = try sshd.makeClientKey(name: "agent_stranger", authorize: false)
        try agent.add(stranger)
        let session = try SSHSession(connectingTo: endpoint)
        XCTAssertThrowsError(try session.authenticate(SSHCredentials(useAgent: true, agentSocketPath: agent.socketPath))) { error in
            let e = error as! SSHError
            XCTAssertEqual(e.kind, .authentication)
            XCTAssertTrue(e.description.contains("agent key"), e.description)
        }
    }

    func testKeyInspectorReadsEncryptedOpenSSHHeader() throws {
        let key = try sshd.makeClientKey(name: "probe", passphrase: "x", authorize: false)
        let info = try PrivateKeyInspector.inspect(path: key)
        XCTAssertEqual(info, PrivateKeyInfo(keyType: "ssh-ed25519", isEncrypted: true))
        let plain = try PrivateKeyInspector.inspect(path: sshd.clientKey)
        XCTAssertEqual(plain, PrivateKeyInfo(keyType: "ssh-ed25519", isEncrypted: false))
    }
}
