import AutopodSupport
import Foundation
import SSHKit
import TestSupport
import XCTest

/// The host-key policy is pure: these tests feed it lines and keys and check the decision.
final class HostKeyPolicyTests: XCTestCase {
    // Two real ed25519 public keys and one ECDSA key (generated once with ssh-keygen).
    static let keyA = SSHHostKey(type: "ssh-ed25519", base64: "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl")!
    static let keyB = SSHHostKey(type: "ssh-ed25519", base64: "AAAAC3NzaC1lZDI1NTE5AAAAIKRDmJkb3S/oQaTxdvo2q/UMPe8IRJHqp1uqcQEXNdbw")!
    static let ecdsa = SSHHostKey(
        type: "ecdsa-sha2-nistp256",
        base64: "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w5WeDrA+NVbrFZl4=")!
    let a = HostKeyPolicyTests.keyA
    let b = HostKeyPolicyTests.keyB

    func lines(_ text: String) -> [KnownHostsLine] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { KnownHostsLine.parse(String($0)) }
    }

    func podLine(_ host: String, _ key: SSHHostKey, _ pod: String) -> String {
        "\(host) \(key.type) \(key.base64) autopod-pod=\(pod)"
    }

    func testKeysParse() {
        XCTAssertEqual(a.type, "ssh-ed25519")
        XCTAssertEqual(HostKeyPolicyTests.ecdsa.type, "ecdsa-sha2-nistp256")
        XCTAssertTrue(a.fingerprint.hasPrefix("SHA256:"))
        XCTAssertFalse(a.fingerprint.hasSuffix("="))
        XCTAssertEqual(a.fingerprint.count, 7 + 43)
        XCTAssertNil(SSHHostKey(type: "ssh-rsa", base64: a.base64), "type field must match the blob")
    }

    func testNoEntryForPodPins() {
        let l = lines(podLine("[1.2.3.4]:22001", b, "other"))
        let d = HostKeyPolicy.evaluate(podID: "pod1", hostField: "[1.2.3.4]:22001", presented: a, lines: l, restartSeenSincePinned: false, acceptNew: false)
        XCTAssertEqual(d, .pin)
        let out = HostKeyPolicy.apply(d, to: l, podID: "pod1", hostField: "[1.2.3.4]:22001", presented: a)
        XCTAssertEqual(out.map(\.rendered), [podLine("[1.2.3.4]:22001", b, "other"), podLine("[1.2.3.4]:22001", a, "pod1")])
    }

    func testSameKeySameAddressIsTrusted() {
        let l = lines(podLine("[1.2.3.4]:22001", a, "pod1"))
        XCTAssertEqual(
            HostKeyPolicy.evaluate(podID: "pod1", hostField: "[1.2.3.4]:22001", presented: a, lines: l, restartSeenSincePinned: false, acceptNew: false),
            .trusted)
    }

    func testSameKeyNewAddressRewritesHostField() {
        let l = lines("# mine\n" + podLine("[1.2.3.4]:22001", a, "pod1"))
        let d = HostKeyPolicy.evaluate(podID: "pod1", hostField: "[5.6.7.8]:40000", presented: a, lines: l, restartSeenSincePinned: false, acceptNew: false)
        XCTAssertEqual(d, .trustedAtNewAddress(previousHosts: "[1.2.3.4]:22001"))
        let out = HostKeyPolicy.apply(d, to: l, podID: "pod1", hostField: "[5.6.7.8]:40000", presented: a)
        XCTAssertEqual(out.map(\.rendered), ["# mine", podLine("[5.6.7.8]:40000", a, "pod1")])
    }

    func testChangedKeyWithoutRestartIsRefusedNamingBothFingerprints() {
        let l = lines(podLine("[1.2.3.4]:22001", a, "pod1"))
        let d = HostKeyPolicy.evaluate(podID: "pod1", hostField: "[1.2.3.4]:22001", presented: b, lines: l, restartSeenSincePinned: false, acceptNew: false)
        guard case .refuse(let error) = d else { return XCTFail("expected refuse, got \(d)") }
        XCTAssertEqual(error.kind, .hostKeyChanged)
        XCTAssertTrue(error.description.contains(a.fingerprint))
        XCTAssertTrue(error.description.contains(b.fingerprint))
        XCTAssertTrue(error.description.contains("intercepted"))
        XCTAssertTrue(error.description.contains("pod1"))
        XCTAssertEqual(HostKeyPolicy.apply(d, to: l, podID: "pod1", hostField: "x", presented: b), l)
    }

    func testChangedKeyAfterRestartIsReplacedInPlace() {
        let l = lines("# top\n" + podLine("[1.2.3.4]:22001", a, "pod1") + "\n" + podLine("[9.9.9.9]:1", b, "pod2"))
        let d = HostKeyPolicy.evaluate(podID: "pod1", hostField: "[1.2.3.4]:22002", presented: b, lines: l, restartSeenSincePinned: true, acceptNew: false)
        XCTAssertEqual(d, .replace(previousFingerprints: [a.fingerprint], reason: .restartSeen))
        let out = HostKeyPolicy.apply(d, to: l, podID: "pod1", hostField: "[1.2.3.4]:22002", presented: b)
        XCTAssertEqual(out.map(\.rendered), ["# top", podLine("[1.2.3.4]:22002", b, "pod1"), podLine("[9.9.9.9]:1", b, "pod2")])
    }

    func testAcceptNewReplaces() {
        let l = lines(podLine("[1.2.3.4]:22001", a, "pod1"))
        XCTAssertEqual(
            HostKeyPolicy.evaluate(podID: "pod1", hostField: "[1.2.3.4]:22001", presented: b, lines: l, restartSeenSincePinned: false, acceptNew: true),
            .replace(previousFingerprints: [a.fingerprint], reason: .acceptedByUser))
    }

    func testPodMatchIgnoresAddressBasedEntriesOfOtherPods() {
        // RunPod reuses IP:port: another pod's pin at the same address is not this pod's.
        let l = lines(podLine("[1.2.3.4]:22001", b, "old-pod"))
        XCTAssertEqual(
            HostKeyPolicy.evaluate(podID: "new-pod", hostField: "[1.2.3.4]:22001", presented: a, lines: l, restartSeenSincePinned: false, acceptNew: false),
            .pin)
    }

    func testMalformedLinesAndCommentsArePreserved() {
        let text = "# comment\n\ngarbage-without-fields\n[h]:2 ssh-ed25519 not-base64!!\n@cert-authority * ssh-ed25519 \(a.base64)\nh2\tssh-ed25519\t\(b.base64)"
        let l = lines(text)
        XCTAssertEqual(l.compactMap(\.entry).count, 1)
        let out = HostKeyPolicy.apply(.pin, to: l, podID: "p", hostField: "[h]:2", presented: a)
        XCTAssertEqual(Array(out.map(\.rendered).prefix(6)), text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        XCTAssertEqual(out.count, 7)
    }

    func testBareHostPort22UsesBareNameAndOtherPortsUseBrackets() {
        XCTAssertEqual(KnownHostsFile.hostField(host: "example.org", port: 22), "example.org")
        XCTAssertEqual(KnownHostsFile.hostField(host: "example.org", port: 2222), "[example.org]:2222")
        let l = lines("example.org ssh-ed25519 \(a.base64)")
        XCTAssertEqual(HostKeyPolicy.evaluate(host: "example.org", port: 22, presented: a, lines: l, acceptNew: false), .trusted)
        // A bare-host entry says nothing about port 2222, even with a different key.
        XCTAssertEqual(HostKeyPolicy.evaluate(host: "example.org", port: 2222, presented: b, lines: l, acceptNew: false), .pin)
    }

    func testBareHostChangedKeyIsRefused() {
        let l = lines("[example.org]:2222 ssh-ed25519 \(a.base64)")
        guard case .refuse(let e) = HostKeyPolicy.evaluate(host: "example.org", port: 2222, presented: b, lines: l, acceptNew: false) else {
            return XCTFail()
        }
        XCTAssertTrue(e.description.contains("has changed"), e.description)
    }

    func testBareHostKnownWithAnotherKeyTypeIsRefused() {
        let l = lines("[example.org]:2222 ecdsa-sha2-nistp256 \(HostKeyPolicyTests.ecdsa.base64)")
        guard case .refuse(let e) = HostKeyPolicy.evaluate(host: "example.org", port: 2222, presented: a, lines: l, acceptNew: false) else {
            return XCTFail()
        }
        XCTAssertTrue(e.description.contains("another key type"), e.description)
        XCTAssertTrue(e.description.contains("ecdsa-sha2-nistp256"), e.description)
    }

    func testBareHostMatchesListsWildcardsNegationAndHashes() {
        let l = lines("alpha,[example.org]:2222 ssh-ed25519 \(a.base64)")
        XCTAssertEqual(HostKeyPolicy.evaluate(host: "example.org", port: 2222, presented: a, lines: l, acceptNew: false), .trusted)
        let wild = KnownHostsEntry(hosts: "*.example.org,!bad.example.org", keyType: a.type, keyBase64: a.base64)
        XCTAssertTrue(wild.matches(hostName: "gpu.example.org"))
        XCTAssertFalse(wild.matches(hostName: "bad.example.org"))
        // |1|salt|hash of "[127.0.0.1]:2222", produced by `ssh-keygen -H`.
        let hashed = KnownHostsEntry(hosts: HostKeyPolicyTests.hashedName, keyType: a.type, keyBase64: a.base64)
        XCTAssertTrue(hashed.matches(hostName: "[127.0.0.1]:2222"))
        XCTAssertFalse(hashed.matches(hostName: "[127.0.0.1]:2223"))
    }

    /// A name hashed by OpenSSH itself, so the HMAC check is tested against the real format.
    static let hashedName: String = {
        guard let dir = try? makeTempDirectory(prefix: "hash") else { return "" }
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/kh"
        try? "[127.0.0.1]:2222 ssh-ed25519 \(keyA.base64)\n".write(toFile: file, atomically: true, encoding: .utf8)
        _ = try? ChildProcess.run(["/usr/bin/ssh-keygen", "-H", "-f", file])
        let text = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
        return String(text.split(separator: " ").first ?? "")
    }()

    func testAcceptNewForBareHostReplacesOnlyThatHostsLine() {
        let l = lines("[example.org]:2222 ssh-ed25519 \(a.base64)\nother ssh-ed25519 \(a.base64)")
        let d = HostKeyPolicy.evaluate(host: "example.org", port: 2222, presented: b, lines: l, acceptNew: true)
        XCTAssertEqual(d, .replace(previousFingerprints: [a.fingerprint], reason: .acceptedByUser))
        let out = HostKeyPolicy.apply(d, to: l, podID: nil, hostField: "[example.org]:2222", presented: b)
        XCTAssertEqual(out.map(\.rendered), ["[example.org]:2222 ssh-ed25519 \(b.base64)", "other ssh-ed25519 \(a.base64)"])
    }
}
