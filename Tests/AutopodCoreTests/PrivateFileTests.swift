import AutopodCore
import AutopodSupport
import Foundation
import SSHKit
import TestSupport
import XCTest

/// Files holding secrets are written through an exclusive temporary file with a random name:
/// a link planted under the old, guessable name (`.NAME.<pid>.tmp`, `NAME.tmp.<pid>`) must not
/// be followed, and the result is the caller's file with mode 0600.
final class PrivateFileTests: XCTestCase {
    func testAtomicWriteDoesNotFollowAPlantedTemporaryFile() throws {
        let home = TemporaryDirectory()
        let elsewhere = TemporaryDirectory()
        let victim = elsewhere.file("victim")
        try Data("untouched\n".utf8).write(to: victim)
        let target = home.file("config.json")
        try FileManager.default.createSymbolicLink(atPath: home.file(".config.json.\(getpid()).tmp").path, withDestinationPath: victim.path)

        try AtomicFile.write(Data("{\"apiKey\":\"secret\"}\n".utf8), to: target, mode: 0o600)

        XCTAssertEqual(try String(contentsOf: victim, encoding: .utf8), "untouched\n", "the planted link was followed")
        XCTAssertEqual(try String(contentsOf: target, encoding: .utf8), "{\"apiKey\":\"secret\"}\n")
        XCTAssertEqual(TemporaryDirectory.mode(of: target.path), 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.path).filter { $0.contains(".tmp") && !$0.hasSuffix("\(getpid()).tmp") }
        XCTAssertEqual(leftovers, [], "no temporary file is left behind")
    }

    func testKnownHostsWriteDoesNotFollowAPlantedTemporaryFile() throws {
        let home = TemporaryDirectory()
        let elsewhere = TemporaryDirectory()
        let victim = elsewhere.file("victim")
        try Data("untouched\n".utf8).write(to: victim)
        let path = home.file("known_hosts").path
        try FileManager.default.createSymbolicLink(atPath: path + ".tmp.\(getpid())", withDestinationPath: victim.path)

        let key = try XCTUnwrap(SSHHostKey(type: "ssh-ed25519", base64: "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"))
        let endpoint = SSHEndpoint(host: "127.0.0.1", port: 2222, user: "root")
        let verdict = try KnownHostsFile(path: path).verify(podID: "abc123", endpoint: endpoint, presented: key, restartEvidence: nil, accept: nil)

        XCTAssertEqual(verdict.outcome, .pinned)
        XCTAssertEqual(try String(contentsOf: victim, encoding: .utf8), "untouched\n", "the planted link was followed")
        XCTAssertTrue(try String(contentsOfFile: path, encoding: .utf8).contains("autopod-pod=abc123"))
        XCTAssertEqual(TemporaryDirectory.mode(of: path), 0o600)
    }

    func testAHomeOthersCanWriteInIsRefusedWithTheFix() throws {
        let home = TemporaryDirectory()
        chmod(home.path, 0o777)
        let paths = AutopodPaths(home: home.url)
        XCTAssertThrowsError(try paths.ensureHome()) { error in
            XCTAssertTrue("\(error)".contains("chmod 700 \(home.path)"), "\(error)")
        }
        XCTAssertThrowsError(try ConfigStore(paths: paths).save(AutopodConfig.defaults(environment: Environment([:]))))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: home.path), [], "nothing is written")
        // A home others may only read is made private.
        chmod(home.path, 0o755)
        XCTAssertNoThrow(try paths.ensureHome())
        XCTAssertEqual(TemporaryDirectory.mode(of: home.path), 0o700)
    }
}
