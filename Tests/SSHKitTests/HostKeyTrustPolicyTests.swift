import Foundation
import SSHKit
import XCTest

/// The host-key rules issue 11 added, as pure decisions: tombstones and unreadable pins refuse,
/// an allowance accepts only its key, once, and fields with whitespace or controls are unsafe.
final class HostKeyTrustPolicyTests: XCTestCase {
    let a = HostKeyPolicyTests.keyA
    let b = HostKeyPolicyTests.keyB

    func lines(_ text: String) -> [KnownHostsLine] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { KnownHostsLine.parse(String($0)) }
    }

    func decide(_ text: String, _ key: SSHHostKey, evidence: String? = nil, accept: HostKeyReplacement? = nil) -> HostKeyDecision {
        HostKeyPolicy.evaluate(
            podID: "pod1", hostField: "[1.2.3.4]:22001", presented: key, lines: lines(text), restartEvidence: evidence, accept: accept)
    }

    func testAnUnreadablePinForThePodIsAnErrorNamingTheLineNotAFirstContact() {
        let d = decide("# mine\n[1.2.3.4]:22001 ssh-ed25519 AAAAbroken autopod-pod=pod1", a)
        guard case .refuse(let error) = d else { return XCTFail("expected refuse, got \(d)") }
        XCTAssertEqual(error.kind, .knownHostsFile)
        XCTAssertTrue(error.description.contains("Line 2"), error.description)
        // Another pod's broken line does not block this one.
        XCTAssertEqual(decide("[1.2.3.4]:22001 ssh-ed25519 AAAAbroken autopod-pod=pod2", a), .pin)
    }

    func testATombstoneRefusesEveryKeyForGood() {
        let buried = KnownHostsLine.tombstone(podID: "pod1", note: "terminated=2026-11-30T00:00:00Z").rendered
        guard case .refuse(let error) = decide(buried, a) else { return XCTFail("a killed pod must not be pinned") }
        XCTAssertEqual(error.kind, .endpointGone)
        XCTAssertEqual(decide(buried, a, evidence: "restart", accept: .anyKey), decide(buried, a))
    }

    func testAFingerprintAllowanceAcceptsThatKeyOnly() {
        let pinned = "[1.2.3.4]:22001 \(a.type) \(a.base64) autopod-pod=pod1"
        XCTAssertEqual(
            decide(pinned, b, accept: .fingerprint(b.fingerprint)), .replace(previousFingerprints: [a.fingerprint], reason: .acceptedByUser))
        guard case .refuse(let error) = decide(pinned, b, accept: .fingerprint(a.fingerprint)) else { return XCTFail() }
        XCTAssertTrue(error.description.contains("does not match"), error.description)
    }

    func testAnAllowanceIsSpentOnTheReplacementItAllows() throws {
        let allowance = HostKeyAllowance(.anyKey)
        let first: Int = try allowance.withAllowance { accept in (accept == nil ? 0 : 1, used: false) }
        XCTAssertEqual(first, 1, "not used yet: still there")
        _ = try allowance.withAllowance { _ in ((), used: true) }
        XCTAssertNil(allowance.current)
    }

    func testUnsafeFields() {
        XCTAssertTrue(KnownHostsEntry.isSafeField("[127.0.0.1]:2222"))
        for bad in ["", "a b", "a\nb", "a\tb", "a\u{1b}b", "a\u{85}b", "a\u{2028}b"] {
            XCTAssertFalse(KnownHostsEntry.isSafeField(bad), bad.debugDescription)
        }
    }
}
