@testable import AutopodCore
import XCTest

final class ReadinessObservationTests: XCTestCase {
    func pod(
        status: String = "RUNNING", runtime: Bool = false, mappings: [PortMapping] = [], ports: String = "8888/http,22/tcp",
        change: String? = nil
    ) -> RemotePod {
        RemotePod(
            id: "p", name: "n", desiredStatus: status, lastStatusChange: change, ports: ports, hasRuntime: runtime,
            portMappings: mappings)
    }

    func testPhasesInOrder() {
        XCTAssertEqual(ReadinessObservation.observe(pod()), .waiting(.containerStarting))
        XCTAssertEqual(ReadinessObservation.observe(pod(runtime: true)), .waiting(.waitingForSSHPort))
        let published = pod(runtime: true, mappings: [PortMapping(ip: "198.51.100.4", isIpPublic: true, privatePort: 22, publicPort: 31022, type: "tcp")])
        XCTAssertEqual(ReadinessObservation.observe(published), .portPublished(PodEndpoint(host: "198.51.100.4", port: 31022)))
        XCTAssertTrue(WaitPhase.placed < WaitPhase.containerStarting)
        XCTAssertTrue(WaitPhase.sshPortPublished < WaitPhase.sshAnswering)
    }

    func testPodThatExitsOnItsOwn() {
        XCTAssertEqual(
            ReadinessObservation.observe(pod(status: "EXITED", runtime: true, change: "Exited by Runpod: today")),
            .exited("Exited by Runpod: today"))
        XCTAssertEqual(ReadinessObservation.observe(nil), .gone)
    }

    func testPrivateOnlySSHCanNeverBeReached() {
        let privateOnly = pod(runtime: true, mappings: [PortMapping(ip: "100.65.0.2", isIpPublic: false, privatePort: 22, publicPort: 22, type: "tcp")])
        guard case .unreachable = ReadinessObservation.observe(privateOnly) else { return XCTFail() }
        guard case .unreachable = ReadinessObservation.observe(pod(runtime: true, ports: "8888/http")) else { return XCTFail() }
    }

    func testDurations() {
        XCTAssertEqual(WaitDuration.parse("90s"), 90)
        XCTAssertEqual(WaitDuration.parse("15m"), 900)
        XCTAssertEqual(WaitDuration.parse("1h30m"), 5400)
        XCTAssertEqual(WaitDuration.parse("45"), 45)
        XCTAssertNil(WaitDuration.parse("15 minutes"))
        XCTAssertNil(WaitDuration.parse("m"))
        XCTAssertNil(WaitDuration.parse("0s"))
        XCTAssertEqual(WaitDuration.format(75), "1m 15s")
        XCTAssertEqual(WaitDuration.format(3725), "1h 02m")
    }
}

final class PodStatusTests: XCTestCase {
    func testStatusFromTheAccountOrTheRecord() {
        var record = PodRecord(
            id: "p", name: "n", gpuTypeId: "g", gpuDisplayName: "G", gpuCount: 1, cloudType: .secure, pricePerHour: 1,
            createdAt: Date())
        XCTAssertEqual(PodStatus.of(remote: RemotePod(id: "p", name: "n", desiredStatus: "RUNNING"), record: record), .starting)
        XCTAssertEqual(PodStatus.of(remote: RemotePod(id: "p", name: "n", desiredStatus: "RUNNING", hasRuntime: true), record: record), .running)
        XCTAssertEqual(PodStatus.of(remote: RemotePod(id: "p", name: "n", desiredStatus: "EXITED", hasRuntime: true), record: record), .stopped)
        record.lastStatus = "EXITED"
        XCTAssertEqual(PodStatus.of(remote: nil, record: record), .stopped)
        record.markTerminated(at: Date())
        XCTAssertEqual(PodStatus.of(remote: RemotePod(id: "p", name: "n", desiredStatus: "RUNNING"), record: record), .terminated)
    }
}
