import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// The built `runpod-sim` binary as a subprocess (through `SimulatorFixture`): it leaves
/// nothing behind after SIGTERM, and a SIGKILLed simulator's leftovers are removed by the next
/// start without touching a live simulator's.
final class ProcessHygieneTests: XCTestCase {
    func testSIGTERMStopsEveryProcessAndRemovesEveryNamespace() throws {
        let stateDirectory = try temporaryDirectory()
        let fixture = try SimulatorFixture(bootDelay: 0.2, stateDirectory: stateDirectory)
        let first = try fixture.client.createPod(name: "a")
        let second = try fixture.client.createPod(name: "b", ports: "8888/http,6006/http,22/tcp")
        _ = try fixture.client.waitForSSHPort(first)
        _ = try fixture.client.waitForSSHPort(second)
        // sshd forks a short-lived child for each probe connection of its start-up check.
        XCTAssertTrue(
            SimulatorClient.waitUntil(timeout: 10) { Self.processes(containing: stateDirectory).filter { Self.isSSHD($0) }.count == 2 },
            "one sshd per pod: \(Self.processes(containing: stateDirectory))")
        if geteuid() == 0 {
            XCTAssertEqual(Self.namespaces(ownedBy: fixture.pid).count, 2)
            XCTAssertEqual(Self.hostVeths(ownedBy: fixture.pid).count, 2)
        }

        XCTAssertEqual(fixture.stop(signal: SIGTERM), 0, "SIGTERM must exit 0; log: \(fixture.log)")
        XCTAssertEqual(Self.processes(containing: stateDirectory), [])
        XCTAssertEqual(Self.namespaces(ownedBy: fixture.pid), [])
        XCTAssertEqual(Self.hostVeths(ownedBy: fixture.pid), [])
    }

    func testDefaultStateDirectoryIsRemovedOnSIGINT() throws {
        let fixture = try SimulatorFixture(bootDelay: 0.2)
        let id = try fixture.client.createPod()
        _ = try fixture.client.waitForSSHPort(id)
        let directory = try XCTUnwrap(try fixture.client.simPod(id)["directory"] as? String)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory))
        XCTAssertEqual(fixture.stop(signal: SIGINT), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
        XCTAssertEqual(Self.processes(containing: "rpsim-\(fixture.pid)-"), [])
    }

    func testSIGKILLLeftoversAreRemovedByTheNextStartButALiveSimulatorsAreNot() throws {
        let live = try SimulatorFixture(bootDelay: 0.2)
        let livePod = try live.client.createPod(name: "live")
        _ = try live.client.waitForSSHPort(livePod)

        let victim = try SimulatorFixture(bootDelay: 0.2)
        let victimPod = try victim.client.createPod(name: "victim")
        _ = try victim.client.waitForSSHPort(victimPod)
        let victimPid = victim.pid
        victim.stop(signal: SIGKILL)
        XCTAssertFalse(Self.processes(containing: "rpsim-\(victimPid)-").isEmpty, "SIGKILL should have left the pod's sshd")

        let next = try SimulatorFixture(bootDelay: 0.2)
        XCTAssertTrue(
            SimulatorClient.waitUntil(timeout: 20) {
                Self.processes(containing: "rpsim-\(victimPid)-").isEmpty && Self.namespaces(ownedBy: victimPid).isEmpty
                    && Self.hostVeths(ownedBy: victimPid).isEmpty
            }, "leftovers of the killed simulator remain")
        let temp = FileManager.default.temporaryDirectory.path
        let staleDirectories = try FileManager.default.contentsOfDirectory(atPath: temp).filter { $0.hasPrefix("rpsim-\(victimPid)-") }
        XCTAssertEqual(staleDirectories, [])

        // The live simulator's pod is untouched and still answers.
        XCTAssertEqual(Self.processes(containing: "rpsim-\(live.pid)-").count, 1)
        if geteuid() == 0 { XCTAssertEqual(Self.namespaces(ownedBy: live.pid).count, 1) }
        let port = try live.client.waitForSSHPort(livePod, timeout: 10)
        XCTAssertNotNil(SSHProbe(port: port))

        XCTAssertEqual(next.stop(), 0)
        XCTAssertEqual(live.stop(), 0)
        XCTAssertEqual(Self.namespaces(ownedBy: live.pid), [])
    }

    // MARK: Helpers

    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rpsim-test-state-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Pids whose command line contains `text` (excluding this test process).
    static func processes(containing text: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty
            else { return nil }
            let commandLine = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            return commandLine.contains(text) ? pid : nil
        }.sorted()
    }

    static func isSSHD(_ pid: Int32) -> Bool {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return String(decoding: data, as: UTF8.self).contains("sshd")
    }

    static func namespaces(ownedBy pid: Int32) -> [String] {
        run(["/usr/sbin/ip", "netns", "list"]).split(separator: "\n")
            .compactMap { $0.split(separator: " ").first.map(String.init) }
            .filter { $0.hasPrefix("rpsim-\(pid)-") }
    }

    static func hostVeths(ownedBy pid: Int32) -> [String] {
        run(["/usr/sbin/ip", "-o", "link", "show"]).split(separator: "\n")
            .compactMap { line -> String? in
                let fields = line.split(separator: ":", maxSplits: 2)
                guard fields.count >= 2 else { return nil }
                return String(fields[1].trimmingCharacters(in: .whitespaces).split(separator: "@").first ?? "")
            }
            .filter { $0.hasPrefix("rph\(pid)n") }
    }

    private static func run(_ arguments: [String]) -> String {
        (try? ChildProcess.run(arguments))?.stdout ?? ""
    }
}
