@testable import AutopodCore
import XCTest

/// REST v2's bodies and statuses to autopod's types: pure mappings, checked one by one against
/// the shapes of RunPod's OpenAPI document (`Pod`, `GpuType`, `ErrorResponse`).
final class RESTMappingTests: XCTestCase {
    /// A `Pod` as the document's example gives it, with `status`, `runtime` and `ssh` to vary.
    func pod(status: String, runtime: JSONValue = .null, direct: JSONValue = .null) -> JSONValue {
        [
            "id": "pod_abc123", "name": "autopod-2027-01-05-001", "status": .string(status), "actions": ["stop", "terminate"],
            "image": "runpod/pytorch:1.0.3", "args": "", "disk": 20, "mounts": ["persistent": ["size": 50, "path": "/workspace"]],
            "ports": ["8888/http", "22/tcp"], "env": ["JUPYTER_PASSWORD": "x"], "registry": nil,
            "gpu": ["id": "NVIDIA A40", "count": 2], "cloud": "SECURE", "dataCenterId": "EU-RO-1", "cudaVersion": "12.8",
            "ssh": ["proxy": ["host": "ssh.runpod.io", "port": 22, "username": "pod_abc123-64411eb2", "command": "ssh x"], "direct": direct],
            "template": nil, "cost": 0.8, "locked": false, "globalNetworking": ["enabled": false], "runtime": runtime,
            "createdAt": "2027-01-05T10:00:00Z", "startedAt": nil,
        ]
    }

    let runningRuntime: JSONValue = [
        "uptime": 42, "gpus": [["util": 80, "memoryUtil": 40], ["util": 60, "memoryUtil": 20]], "cpu": ["util": 12],
        "memory": ["util": 30], "ports": [["private": 22, "public": 40123, "type": "tcp", "ip": "198.51.100.7"], ["private": 8888, "public": nil, "type": "http", "ip": nil]],
    ]
    let direct: JSONValue = ["host": "198.51.100.7", "port": 40123, "username": "root", "command": "ssh root@198.51.100.7 -p 40123"]

    func testStatusesMapOntoAutopodsPhases() throws {
        let provisioning = try XCTUnwrap(RunPodRESTProvider.parsePod(pod(status: "PROVISIONING")))
        XCTAssertEqual(provisioning.phase, .provisioning)
        XCTAssertEqual(provisioning.desiredStatus, "RUNNING", "billing starts at placement, as on GraphQL")
        XCTAssertEqual(ReadinessObservation.observe(provisioning), .waiting(.placed))
        XCTAssertEqual(PodStatus.of(remote: provisioning, record: nil), .starting)

        let starting = try XCTUnwrap(RunPodRESTProvider.parsePod(pod(status: "STARTING")))
        XCTAssertEqual(ReadinessObservation.observe(starting), .waiting(.containerStarting))

        // RUNNING before the ports exist (seen on RunPod): not ready yet.
        let early = try XCTUnwrap(RunPodRESTProvider.parsePod(pod(status: "RUNNING")))
        XCTAssertEqual(ReadinessObservation.observe(early), .waiting(.containerStarting))
        XCTAssertNil(early.sshEndpoint)
        let noDirect = try XCTUnwrap(RunPodRESTProvider.parsePod(pod(status: "RUNNING", runtime: ["uptime": 1, "ports": []])))
        XCTAssertEqual(ReadinessObservation.observe(noDirect), .waiting(.waitingForSSHPort))

        let running = try XCTUnwrap(RunPodRESTProvider.parsePod(pod(status: "RUNNING", runtime: runningRuntime, direct: direct)))
        XCTAssertEqual(ReadinessObservation.observe(running), .portPublished(PodEndpoint(host: "198.51.100.7", port: 40123)))
        XCTAssertEqual(PodStatus.of(remote: running, record: nil), .running)

        let exited = try XCTUnwrap(RunPodRESTProvider.parsePod(pod(status: "EXITED", direct: direct)))
        XCTAssertEqual(PodStatus.of(remote: exited, record: nil), .stopped)
        XCTAssertNil(exited.sshEndpoint, "a stopped pod's endpoint is never used")

        let failed = try XCTUnwrap(RunPodRESTProvider.parsePod(pod(status: "ERROR")))
        XCTAssertEqual(PodStatus.of(remote: failed, record: nil), .stopped)
        guard case .exited(let reason) = ReadinessObservation.observe(failed) else { return XCTFail("ERROR must end the wait") }
        XCTAssertTrue(reason?.contains("ERROR") == true)

        let terminated = try XCTUnwrap(RunPodRESTProvider.parsePod(pod(status: "TERMINATED")))
        XCTAssertEqual(ReadinessObservation.observe(terminated), .gone)
    }

    func testPodFields() throws {
        let pod = try XCTUnwrap(RunPodRESTProvider.parsePod(pod(status: "RUNNING", runtime: runningRuntime, direct: direct)))
        XCTAssertEqual(pod.id, "pod_abc123")
        XCTAssertEqual(pod.name, "autopod-2027-01-05-001")
        XCTAssertEqual(pod.gpuTypeId, "NVIDIA A40")
        XCTAssertEqual(pod.gpuCount, 2)
        XCTAssertEqual(pod.costPerHr, 0.8)
        XCTAssertEqual(pod.imageName, "runpod/pytorch:1.0.3")
        XCTAssertEqual(pod.ports, "8888/http,22/tcp")
        XCTAssertEqual(pod.podHostId, "pod_abc123-64411eb2")
        XCTAssertEqual(pod.uptimeInSeconds, 42)
        XCTAssertEqual(pod.portMappings, [PortMapping(ip: "198.51.100.7", isIpPublic: true, privatePort: 22, publicPort: 40123, type: "tcp")])
        XCTAssertEqual(
            pod.utilization,
            PodUtilization(gpus: [.init(util: 80, memoryUtil: 40), .init(util: 60, memoryUtil: 20)], cpu: 12, memory: 30))
        XCTAssertEqual(pod.utilization?.meanGPUUtil, 70)
    }

    func testCreateBodyUsesTheDocumentsNames() {
        let spec = PodSpec(
            name: "autopod-2027-01-05-001", gpuTypeId: "NVIDIA A40", gpuCount: 2, cloudType: .secure, dataCenterId: "EU-RO-1",
            imageName: "runpod/pytorch:1.0.3", containerDiskInGb: 20, volumeInGb: 50, volumeMountPath: "/workspace",
            ports: "8888/http, 22/tcp", env: ["PUBLIC_KEY": "ssh-ed25519 AAAA me"])
        let body = RunPodRESTProvider.createBody(spec, cloud: .secure)
        XCTAssertEqual(
            body,
            [
                "name": "autopod-2027-01-05-001", "image": "runpod/pytorch:1.0.3", "gpu": ["id": "NVIDIA A40", "count": 2],
                "cloud": "SECURE", "dataCenterIds": ["EU-RO-1"], "disk": 20,
                "mounts": ["persistent": ["size": 50, "path": "/workspace"]], "ports": ["8888/http", "22/tcp"],
                "env": ["PUBLIC_KEY": "ssh-ed25519 AAAA me"], "startSsh": true,
            ])
        var bare = spec
        bare.volumeInGb = 0
        bare.dataCenterId = nil
        let minimal = RunPodRESTProvider.createBody(bare, cloud: .community)
        XCTAssertEqual(minimal["mounts"], .null, "no volume: no mount at all (size has a floor of 10)")
        XCTAssertEqual(minimal["dataCenterIds"], .null)
        XCTAssertEqual(minimal["cloud"], "COMMUNITY")
    }

    func testGPUTypesAndTheAllCloud() throws {
        let a40: JSONValue = [
            "id": "NVIDIA A40", "name": "A40", "pool": "AMPERE_48", "manufacturer": "NVIDIA", "memory": 48, "secure": true,
            "community": false, "price": ["secure": 0.4, "community": 0], "maxCount": ["secure": 8, "community": 0],
            "availability": "HIGH",
        ]
        let secure = try XCTUnwrap(RunPodRESTProvider.parseGPUType(a40, cloud: .secure))
        XCTAssertEqual(secure, GPUType(id: "NVIDIA A40", displayName: "A40", memoryInGb: 48, securePrice: 0.4, stock: .high, lowestPrice: 0.4))
        let community = try XCTUnwrap(RunPodRESTProvider.parseGPUType(a40, cloud: .community))
        XCTAssertEqual(community.stock, .outOfStock, "a type the cloud does not offer has no stock there")
        var none = a40
        if case .object(var fields) = none { fields["availability"] = "NONE"; none = .object(fields) }
        XCTAssertEqual(RunPodRESTProvider.parseGPUType(none, cloud: .secure)?.isOutOfStock, true)

        let merged = RunPodRESTProvider.merge(
            secure: [secure, GPUType(id: "B", displayName: "B", memoryInGb: 24, securePrice: 0.5, stock: .outOfStock, lowestPrice: 0.5)],
            community: [community, GPUType(id: "B", displayName: "B", memoryInGb: 24, communityPrice: 0.3, stock: .low, lowestPrice: 0.3)])
        XCTAssertEqual(merged.map(\.stock), [.high, .low])
        XCTAssertEqual(merged.last?.lowestPrice, 0.3)
    }

    func testErrorsSortIntoTheSameKinds() {
        func problem(_ status: Int, _ detail: String, _ errors: [String]? = nil) -> JSONValue {
            var fields: [String: JSONValue] = ["title": "x", "status": .number(Double(status)), "detail": .string(detail)]
            if let errors { fields["errors"] = .array(errors.map { .string($0) }) }
            return .object(fields)
        }
        let capacity = RESTClient.classify(
            status: 400,
            problem: problem(400, "There are no longer any instances available with the requested specifications. Please refresh and try again."),
            mutation: true)
        XCTAssertTrue(capacity.isCapacity)
        XCTAssertFalse(capacity.outcomeUnknown)
        XCTAssertEqual(RESTClient.classify(status: 400, problem: problem(400, "image is required"), mutation: true), .rejected(message: "image is required"))
        XCTAssertEqual(
            RESTClient.classify(status: 422, problem: problem(422, "validation failed", ["$.gpu.count: must be >= 1"]), mutation: true),
            .rejected(message: "validation failed ($.gpu.count: must be >= 1)"))
        XCTAssertEqual(
            RESTClient.classify(status: 409, problem: problem(409, "pod is EXITED; stop is not allowed"), mutation: true),
            .conflict(message: "pod is EXITED; stop is not allowed"))
        XCTAssertEqual(RESTClient.classify(status: 404, problem: problem(404, "pod not found"), mutation: false), .notFound(message: "pod not found"))
        guard case .unauthorized = RESTClient.classify(status: 401, problem: problem(401, "bad key"), mutation: false) else { return XCTFail() }
        guard case .unauthorized = RESTClient.classify(status: 403, problem: problem(403, "read-only key"), mutation: true) else { return XCTFail() }
        XCTAssertTrue(RESTClient.classify(status: 502, problem: .null, mutation: true).outcomeUnknown, "a 5xx to a mutation may have happened")
        XCTAssertFalse(RESTClient.classify(status: 502, problem: .null, mutation: false).outcomeUnknown)
        XCTAssertFalse(
            RESTClient.classify(status: 429, problem: problem(429, "rate limit"), mutation: true).outcomeUnknown,
            "a rate-limited request was turned away before anything happened")
        // A 404 that is not a problem document: the API itself is not there.
        guard case .unsupported = RESTClient.classify(status: 404, problem: .null, mutation: false) else { return XCTFail() }
        guard case .unsupported = RESTClient.classify(status: 410, problem: problem(410, "gone"), mutation: false) else { return XCTFail() }
    }

    func testQueryValuesAreEscaped() {
        XCTAssertEqual(RESTClient.escape("2027-01-05T10:00:00.000+01:00"), "2027-01-05T10%3A00%3A00.000%2B01%3A00")
        XCTAssertEqual(RESTClient.escape("NVIDIA A40"), "NVIDIA%20A40")
    }

    func testAPIChoiceFromConfigAndEnvironment() throws {
        var config = AutopodConfig()
        XCTAssertEqual(try config.effectiveAPI(environment: [:]).choice, .auto, "auto is the default")
        config.api = .graphql
        XCTAssertEqual(try config.effectiveAPI(environment: [:]).choice, .graphql)
        XCTAssertEqual(try config.effectiveAPI(environment: ["AUTOPOD_API": "REST"]).choice, .rest)
        XCTAssertEqual(try config.effectiveAPI(environment: ["AUTOPOD_API": "rest"]).source, "AUTOPOD_API")
        XCTAssertThrowsError(try config.effectiveAPI(environment: ["AUTOPOD_API": "soap"]))
        let parsed = try ConfigParser.parse(Data(#"{"api": "rest"}"#.utf8), path: "config.json")
        XCTAssertEqual(parsed.api, .rest)
        XCTAssertThrowsError(try ConfigParser.parse(Data(#"{"api": "v1"}"#.utf8), path: "config.json"))
    }
}
