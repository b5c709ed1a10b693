import AutopodSupport
import AutopodCore
import Foundation
import TestSupport
import XCTest

final class KeyGenerationTests: XCTestCase {
    /// OpenSSH's own ssh-keygen must read the private key and derive the same public key.
    func testGeneratedKeyIsAcceptedByOpenSSH() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("id_ed25519").path
        let key = try OpenSSHKeyFile.generateEd25519(comment: "test@autopod")
        try OpenSSHKeyFile.write(key, to: path)
        XCTAssertEqual(TemporaryDirectory.mode(of: path), 0o600)
        let derived = try ChildProcess.run(["/usr/bin/ssh-keygen", "-y", "-f", path])
        XCTAssertEqual(derived.status, 0, derived.stderr)
        let publicParts = key.publicKeyLine.split(separator: " ")
        XCTAssertEqual(derived.stdout.split(separator: " ").prefix(2), publicParts.prefix(2))
        let fingerprint = try ChildProcess.run(["/usr/bin/ssh-keygen", "-l", "-f", path + ".pub"])
        XCTAssertTrue(fingerprint.stdout.contains("(ED25519)"), fingerprint.stdout)
        XCTAssertEqual(SSHKeyFinder.kind(ofPrivateKeyAt: path), .ed25519)
        // Without the .pub file the type is read from the private key itself.
        try FileManager.default.removeItem(atPath: path + ".pub")
        XCTAssertEqual(SSHKeyFinder.kind(ofPrivateKeyAt: path), .ed25519)
    }

    func testWriteRefusesToReplaceAKey() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("id").path
        try OpenSSHKeyFile.write(try OpenSSHKeyFile.generateEd25519(comment: "a"), to: path)
        let before = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertThrowsError(try OpenSSHKeyFile.write(OpenSSHKeyFile.generateEd25519(comment: "b"), to: path))
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), before)
    }

    func testKeyTypesOfOpenSSHGeneratedKeys() throws {
        let dir = TemporaryDirectory()
        for (type, expected) in [("rsa", DiscoveredKey.Kind.rsa), ("ecdsa", .ecdsa), ("ed25519", .ed25519)] {
            let path = dir.file("k_\(type)").path
            let made = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-t", type, "-N", "", "-f", path])
            XCTAssertEqual(made.status, 0, made.stderr)
            try FileManager.default.removeItem(atPath: path + ".pub")
            XCTAssertEqual(SSHKeyFinder.kind(ofPrivateKeyAt: path), expected, type)
        }
    }
}
