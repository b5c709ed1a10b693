@testable import AutopodCore
import SSHKit
import XCTest

/// The text autopod writes for OpenSSH: Host blocks, the Include line, the pins under aliases.
final class SSHConfigEntriesTests: XCTestCase {
    private func entries(_ pods: [SSHConfigEntries.Pod], home: String? = nil, executable: String = "/usr/local/bin/autopod") -> SSHConfigEntries {
        SSHConfigEntries(
            pods: pods, user: "root", identityFiles: ["/home/me/.ssh/id_ed25519", "/home/me/my keys/old%1"], executable: executable,
            autopodHome: home, knownHostsFile: "/home/me/.autopod/ssh_known_hosts")
    }

    func testBlockNamesThePodAndItsIdAndChecksStrictly() {
        let text = entries([.init(id: "abc123", name: "autopod-2026-11-30-001", gpu: "RTX A5000")]).render()
        XCTAssertTrue(text.contains("\nHost autopod-2026-11-30-001 abc123\n"), text)
        XCTAssertTrue(text.contains("    ProxyCommand /usr/local/bin/autopod proxy %n\n"), text)
        XCTAssertTrue(text.contains("    HostKeyAlias autopod-abc123\n"), text)
        XCTAssertTrue(text.contains("    UserKnownHostsFile /home/me/.autopod/ssh_known_hosts\n"), text)
        XCTAssertTrue(text.contains("    StrictHostKeyChecking yes\n"), text)
        XCTAssertTrue(text.contains("    IdentityFile \"/home/me/my keys/old%%1\"\n"), "spaces quoted, % doubled: \(text)")
        XCTAssertFalse(text.contains("StrictHostKeyChecking no"), text)
    }

    func testNamesThatAreNotHostNamesAndIdsThatAreNotRunPodIdsAreLeftOut() {
        let text = entries([
            .init(id: "abc123", name: "my *pod", gpu: "A40"),
            .init(id: "../x", name: "evil", gpu: "A40"),
            .init(id: "def456", name: "ok\nHost *", gpu: "A40"),
        ]).render()
        XCTAssertTrue(text.contains("\nHost abc123\n"), text)
        XCTAssertTrue(text.contains("\nHost def456\n"), text)
        XCTAssertFalse(text.contains("evil"), text)
        XCTAssertFalse(text.contains("\nHost *"), "a name cannot start a block of its own: \(text)")
    }

    func testProxyCommandCarriesACustomHomeAndQuotesPaths() {
        let command = entries([], home: "/tmp/it's home", executable: "/opt/auto pod/autopod").proxyCommand
        XCTAssertEqual(command, #"env 'AUTOPOD_HOME=/tmp/it'\''s home' '/opt/auto pod/autopod' proxy %n"#)
    }

    func testIncludeIsAddedOnceInFrontAndTheRestKept() {
        let original = "Host work\n\tUser me  \n# end"
        let once = SSHUserConfig.addingInclude(to: original, path: "/home/me/.ssh/autopod.conf")
        XCTAssertEqual(once, SSHUserConfig.marker + "\nInclude /home/me/.ssh/autopod.conf\n\n" + original)
        XCTAssertEqual(SSHUserConfig.addingInclude(to: once, path: "/home/me/.ssh/autopod.conf"), once)
        XCTAssertEqual(SSHUserConfig.addingInclude(to: "", path: "/x/autopod.conf"), SSHUserConfig.marker + "\nInclude /x/autopod.conf\n")
    }

    func testPinsAreRenderedUnderAliasesAndTombstonesLeaveNothing() {
        let key = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
        let lines = [
            KnownHostsLine.parse("[127.0.0.1]:2222 ssh-ed25519 \(key) autopod-pod=abc123"),
            KnownHostsLine.parse("example.com ssh-ed25519 \(key)"),
            KnownHostsLine.tombstone(podID: "dead01", note: "terminated=2026-11-30T00:00:00Z"),
        ]
        let text = OpenSSHKnownHosts.render(lines)
        let entries = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(entries, ["autopod-abc123 ssh-ed25519 \(key)"])
    }
}
