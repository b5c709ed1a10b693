@testable import AutopodCore
import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `RunPodRESTProvider` and `RunPodAutoProvider` against runpod-sim's REST v2 over loopback,
/// through libcurl: every mapping, retries, 409, rate limits and the lost create.
final class RESTProviderTests: XCTestCase {
    var sim: SimulatorFixture!
    /// The waits the provider asked for (Retry-After), instead of sleeping them.
    let waits = LockedValue<[Duration]>([])

    override func setUpWithError() throws {
        sim = try SimulatorFixture(apiKey: "rest-provider-key", bootDelay: 0.3)
    }

    override func tearDown() {
        sim?.stop()
        sim = nil
    }

    func provider(recordWaits: Bool = false) -> RunPodRESTProvider {
        let waits = self.waits
        let record: @Sendable (Duration) -> Void = { wait in waits.withLock { $0.append(wait) } }
        let real: @Sendable (Duration) -> Void = { wait in Sleep.for(wait) }
        let sleep = recordWaits ? record : real
        var client = RESTClient(baseURL: sim.baseURL, apiKey: sim.apiKey, http: HTTPClient(sleep: sleep))
        client.sleep = sleep
        return RunPodRESTProvider(client: client)
    }

    func spec(_ name: String, gpu: String = "NVIDIA A40", cloud: CloudType = .secure) -> PodSpec {
        PodSpec(
            name: name, gpuTypeId: gpu, gpuCount: 1, cloudType: cloud, dataCenterId: nil, imageName: "runpod/pytorch:1.0.3",
            containerDiskInGb: 20, volumeInGb: 20, volumeMountPath: "/workspace", ports: "8888/http,22/tcp", env: [:])
    }

    func fault(_ rule: [String: Any]) throws {
        let reply = try sim.client.control("POST", "/_sim/faults", rule)
        XCTAssertEqual(reply.status, 200, reply.text)
    }

    /// Polls `pod(id:)` until `condition` holds.
    func waitForPod(_ provider: RunPodRESTProvider, _ id: String, _ condition: (RemotePod?) -> Bool) throws -> RemotePod? {
        var last: RemotePod?
        let held = try SimulatorClient.waitUntil(timeout: 30) {
            last = try provider.pod(id: id)
            return condition(last)
        }
        XCTAssertTrue(held, "pod \(id) never reached the state; last: \(String(describing: last))")
        return last
    }

    func testEveryMappingAgainstTheSimulator() throws {
        let rest = provider()
        XCTAssertNil(try rest.authenticate(), "v2 names no account; the key is accepted")

        try sim.client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA A40", "stockStatus": "None"])
        let types = try rest.gpuTypes(gpuCount: 1, cloud: .secure)
        let a40 = try XCTUnwrap(types.first { $0.id == "NVIDIA A40" })
        XCTAssertEqual(a40.displayName, "A40")
        XCTAssertEqual(a40.memoryInGb, 48)
        XCTAssertEqual(a40.securePrice, 0.40)
        XCTAssertTrue(a40.isOutOfStock)
        XCTAssertEqual(types.first { $0.id == "NVIDIA RTX A6000" }?.isOutOfStock, false)
        XCTAssertEqual(try rest.gpuTypes(gpuCount: 1, cloud: .all).first { $0.id == "NVIDIA A40" }?.isOutOfStock, true)

        let created = try rest.createPod(spec("rest-map-1", gpu: "NVIDIA RTX A6000"))
        XCTAssertEqual(created.name, "rest-map-1")
        XCTAssertEqual(created.gpuTypeId, "NVIDIA RTX A6000")
        XCTAssertEqual(created.desiredStatus, "RUNNING")
        XCTAssertNotNil(created.phase)
        let running = try XCTUnwrap(try waitForPod(rest, created.id) { $0?.sshEndpoint != nil })
        XCTAssertEqual(running.phase, .running)
        XCTAssertEqual(running.ports, "8888/http,22/tcp")
        let sshPort = try XCTUnwrap(try sim.client.simPod(created.id)["publicSshPort"] as? Int)
        XCTAssertEqual(running.sshEndpoint?.port, sshPort, "ssh.direct is where the pod's sshd answers")
        XCTAssertEqual(try rest.listPods().map(\.id), [created.id])

        try sim.client.setGPUUtilisation(created.id, util: 80, memoryUtil: 40)
        let busy = try XCTUnwrap(try waitForPod(rest, created.id) { $0?.utilization?.gpus.first?.util == 80 })
        XCTAssertEqual(busy.utilization?.gpus.first?.memoryUtil, 40)
        XCTAssertNotNil(busy.utilization?.cpu)
        XCTAssertNotNil(busy.utilization?.memory)

        try rest.stopPod(id: created.id)
        let stopped = try XCTUnwrap(try rest.pod(id: created.id))
        XCTAssertEqual(stopped.phase, .exited)
        XCTAssertFalse(stopped.isRunning)
        XCTAssertNil(stopped.sshEndpoint)
        XCTAssertEqual(try sim.client.simPods().first?["desiredStatus"] as? String, "EXITED")

        // 409: stopping a stopped pod is not an action its state allows.
        XCTAssertThrowsError(try rest.stopPod(id: created.id)) { error in
            guard case ProviderError.conflict(let message) = error else { return XCTFail("\(error)") }
            XCTAssertFalse(message.isEmpty)
        }

        let resumed = try rest.resumePod(id: created.id, gpuCount: 1)
        XCTAssertTrue(resumed.isRunning)
        _ = try waitForPod(rest, created.id) { $0?.sshEndpoint != nil }

        try rest.terminatePod(id: created.id)
        XCTAssertNil(try rest.pod(id: created.id))
        XCTAssertEqual(try rest.listPods().count, 0)
        XCTAssertEqual(try sim.client.simPods().first?["terminated"] as? Bool, true)
        XCTAssertThrowsError(try rest.terminatePod(id: created.id)) { error in
            guard case ProviderError.notFound = error else { return XCTFail("\(error)") }
        }
    }

    func testSSHKeysAreAddedToTheOnesAlreadyThere() throws {
        let rest = provider()
        let first = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILXGDN/SclOozk1xsDztpmhGiKkkrfQB9SKoO8dSIQQZ first@example"
        let second = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk7XJx1pDf0Wl0m1ZzG7V0b0H1gq8k5t3y6m9a4b2cd second@example"
        XCTAssertTrue(try rest.registerPublicKey(first))
        XCTAssertTrue(try rest.registerPublicKey(second))
        XCTAssertFalse(
            try rest.registerPublicKey(first.replacingOccurrences(of: "first@example", with: "renamed")),
            "the same key under another comment is already there")
        XCTAssertEqual(try rest.publicKeys(), [first, second])
    }

    func testAWrongKeyIsUnauthorized() throws {
        let rest = RunPodRESTProvider(client: RESTClient(baseURL: sim.baseURL, apiKey: "wrong-key"))
        XCTAssertThrowsError(try rest.listPods()) { error in
            guard case ProviderError.unauthorized(let detail) = error else { return XCTFail("\(error)") }
            XCTAssertFalse(detail.contains("wrong-key"))
        }
    }

    func testRateLimitWaitsAsRetryAfterSays() throws {
        let rest = provider(recordWaits: true)
        try fault(["status": 429, "count": 1, "retryAfter": 3, "api": "rest", "operation": "listPods"])
        XCTAssertEqual(try rest.listPods().count, 0)
        XCTAssertEqual(waits.current, [.seconds(3)], "a read waits the Retry-After seconds, then succeeds")
        // A mutation turned away by the rate limit was not carried out, so it is sent again.
        waits.set([])
        try fault(["status": 429, "count": 1, "retryAfter": 2, "api": "rest", "operation": "createPod"])
        let pod = try rest.createPod(spec("rest-429"))
        XCTAssertEqual(waits.current, [.seconds(2)])
        XCTAssertEqual(try sim.client.simPods().map { $0["id"] as? String }, [pod.id], "exactly one pod")
    }

    func testMutationsAreNeverRepeatedBlindly() throws {
        let rest = provider(recordWaits: true)
        try fault(["status": 500, "count": 1, "afterCommit": true, "api": "rest", "operation": "createPod"])
        XCTAssertThrowsError(try rest.createPod(spec("rest-lost"))) { error in
            XCTAssertTrue((error as? ProviderError)?.outcomeUnknown == true, "\(error)")
        }
        XCTAssertEqual(try sim.client.simPods().count, 1, "sent once, carried out once")
        try fault(["status": 503, "count": 1, "api": "rest", "operation": "createPod"])
        XCTAssertThrowsError(try rest.createPod(spec("rest-503")))
        XCTAssertEqual(try sim.client.simPods().count, 1, "a 5xx to a create is not retried")
        XCTAssertEqual(waits.current, [])
        // Reads go through passing failures.
        try fault(["status": 502, "count": 2, "api": "rest", "operation": "listPods"])
        XCTAssertEqual(try rest.listPods().count, 1)
    }

    func testLostCreateIsResolvedByName() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("rest-lost-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let store = PodStateStore(paths: AutopodPaths(home: home))
        var launcher = PodLauncher(provider: provider(), store: store)
        launcher.lookupInterval = .milliseconds(200)
        try fault(["status": 500, "count": 1, "afterCommit": true, "api": "rest", "operation": "createPod"])
        var options = LaunchOptions(config: AutopodConfig())
        options.gpuNames = ["A40", "A6000"]
        let plan = try launcher.plan(options)
        var events: [String] = []
        let record = try launcher.launch(plan, events: { events.append("\($0)") })
        let pods = try sim.client.simPods()
        XCTAssertEqual(pods.count, 1, "\(pods)")
        XCTAssertEqual(pods.first?["id"] as? String, record.id)
        XCTAssertEqual(pods.first?["gpuTypeId"] as? String, "NVIDIA A40", "the first type, never a second create")
        XCTAssertTrue(events.contains { $0.contains("outcomeUnknown") }, "\(events)")
    }

    func testAutoKeepsWorkingWhenGraphQLIsGone() throws {
        let http = HTTPClient()
        let auto = RunPodAutoProvider(
            rest: RunPodRESTProvider(client: RESTClient(baseURL: sim.baseURL, apiKey: sim.apiKey, http: http)),
            graphQL: RunPodProvider(client: GraphQLClient(baseURL: sim.baseURL, apiKey: sim.apiKey, http: http)))
        XCTAssertNotNil(try auto.authenticate(), "GraphQL names the account while it answers")
        // From now on /graphql answers 410, as it will once RunPod retires it.
        try fault(["status": 410, "count": 1000, "api": "graphql"])
        XCTAssertNil(try auto.authenticate())
        // ALL cloud would use GraphQL; it is gone, so REST v2 does it.
        XCTAssertFalse(try auto.gpuTypes(gpuCount: 1, cloud: .all).isEmpty)
        let pod = try auto.createPod(spec("auto-all", cloud: .all))
        XCTAssertEqual(try auto.listPods().map(\.id), [pod.id])
        XCTAssertEqual(try sim.client.simPods().count, 1)
    }
}
