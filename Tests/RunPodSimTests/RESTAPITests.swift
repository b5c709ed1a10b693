import Foundation
import RunPodSim
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// RunPod's REST API v2 against an in-process simulator over real HTTP: every endpoint's happy
/// path and its errors, and that REST and GraphQL act on the same pods, keys and volumes.
final class RESTAPITests: RESTTestCase {
    static let noInstances =
        "There are no longer any instances available with the requested specifications. Please refresh and try again."

    func testBearerAuthAndRateLimitHeaders() throws {
        let missing = try rest.get("/v2/pods", apiKey: "")
        XCTAssertEqual(missing.status, 401)
        XCTAssertEqual(missing.header("content-type"), "application/problem+json")
        XCTAssertEqual(missing.json?["title"] as? String, "Unauthorized")
        XCTAssertEqual(missing.json?["status"] as? Int, 401)
        XCTAssertEqual(missing.detail, "missing bearer token")
        let wrong = try rest.get("/v2/pods", apiKey: "not-the-key")
        XCTAssertEqual(wrong.status, 401, wrong.text)
        XCTAssertNil(wrong.header("ratelimit"), "401s are not counted")
        // GraphQL's ?api_key= does not work on v2.
        XCTAssertEqual(try rest.send("GET", "/v2/pods?api_key=\(sim.apiKey)", apiKey: "").status, 401)

        let first = try rest.get("/v2/pods")
        XCTAssertEqual(first.status, 200, first.text)
        XCTAssertEqual(first.header("content-type"), "application/json")
        XCTAssertEqual((first.json?["pods"] as? [Any])?.count, 0)
        XCTAssertEqual(
            first.header("ratelimit-policy"), "\"minute\";q=6000;w=60, \"hour\";q=300000;w=3600, \"day\";q=5000000;w=86400")
        let remaining = { (reply: RESTTestClient.Reply) -> Int? in
            reply.header("ratelimit")?.range(of: #"(?<="minute";r=)\d+"#, options: .regularExpression)
                .map { Int(reply.header("ratelimit")![$0])! }
        }
        let before = try XCTUnwrap(remaining(first), first.header("ratelimit") ?? "no RateLimit header")
        let second = try rest.get("/v2/account/ssh-keys")
        XCTAssertEqual(remaining(second), before - 1, "each authenticated call counts")
    }

    func testUnknownPathsMethodsAndUnsimulatedResources() throws {
        let unknown = try rest.get("/v2/nothing-here")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.header("content-type"), "application/problem+json")
        let method = try rest.send("PUT", "/v2/pods", json: [:])
        XCTAssertEqual(method.status, 405)
        XCTAssertEqual(method.header("allow"), "GET, POST")
        XCTAssertEqual(try rest.get("/v2/templates").status, 501, "RunPod has it; the simulator says it does not")
    }

    func testGPUCatalogWithAndWithoutAvailability() throws {
        let plain = try rest.get("/v2/catalog/gpus")
        XCTAssertEqual(plain.status, 200, plain.text)
        let gpus = try XCTUnwrap(plain.json?["gpus"] as? [[String: Any]])
        let a40 = try XCTUnwrap(gpus.first { $0["id"] as? String == "NVIDIA A40" })
        XCTAssertEqual(a40["name"] as? String, "A40")
        XCTAssertEqual(a40["memory"] as? Int, 48)
        XCTAssertEqual((a40["price"] as? [String: Any])?["secure"] as? Double, 0.40)
        XCTAssertEqual((a40["price"] as? [String: Any])?["community"] as? Double, 0.35)
        XCTAssertEqual((a40["maxCount"] as? [String: Any])?["secure"] as? Int, 10)
        XCTAssertNil(a40["availability"], "availability only with include=AVAILABILITY")

        XCTAssertEqual(try rest.get("/v2/catalog/gpus?include=AVAILABILITY").status, 400, "product is required")
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?product=POD").status, 400, "product only with include")
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?count=2").status, 400, "count only with include")
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?include=AVAILABILITY&product=POD&count=0").status, 422)
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?include=AVAILABILITY&product=POD&cloud=ALL").status, 422)
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?include=STOCK&product=POD").status, 422)

        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA A40", "stockStatus": "None", "cloudType": "SECURE"])
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA RTX A5000", "stockStatus": "Low"])
        let stock = { (query: String) throws -> [String: [String: Any]] in
            let reply = try self.rest.get("/v2/catalog/gpus?include=AVAILABILITY&product=POD&" + query)
            XCTAssertEqual(reply.status, 200, reply.text)
            let list = reply.json?["gpus"] as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: list.map { ($0["id"] as? String ?? "", $0) })
        }
        let secure = try stock("count=1&cloud=SECURE")
        XCTAssertEqual(secure["NVIDIA A40"]?["availability"] as? String, "NONE")
        XCTAssertNil(secure["NVIDIA A40"]?["dataCenters"], "omitted when unavailable everywhere")
        XCTAssertEqual(secure["NVIDIA RTX A5000"]?["availability"] as? String, "LOW")
        XCTAssertEqual(secure["NVIDIA L40S"]?["availability"] as? String, "HIGH")
        let centres = secure["NVIDIA L40S"]?["dataCenters"] as? [[String: Any]]
        XCTAssertEqual(centres?.compactMap { $0["id"] as? String }, ["EU-RO-1"])
        XCTAssertEqual((secure["NVIDIA L40S"]?["cudaVersions"] as? [[String: Any]])?.last?["version"] as? String, "12.8")
        XCTAssertEqual(try stock("count=2&cloud=SECURE")["NVIDIA RTX A5000"]?["availability"] as? String, "NONE", "Low places one GPU")
        let community = try stock("count=1&cloud=COMMUNITY")
        XCTAssertEqual(community["NVIDIA A40"]?["availability"] as? String, "HIGH", "community stock is separate")
        XCTAssertEqual((community["NVIDIA A40"]?["dataCenters"] as? [[String: Any]])?.first?["id"] as? String, "CA-MTL-1")
        XCTAssertEqual(try stock("cloud=SECURE&countryCodes=CA").count, 0, "no secure data centre in Canada")
        XCTAssertEqual(
            (try stock("cloud=SECURE&cudaVersions=12.4")["NVIDIA L40S"]?["cudaVersions"] as? [[String: Any]])?.count, 1)
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?include=AVAILABILITY&product=POD&cudaVersions=12.4&minCudaVersion=12").status, 400)

        let one = try rest.get("/v2/catalog/gpus/\(RESTTestClient.segment("NVIDIA RTX A5000"))?include=AVAILABILITY&product=POD")
        XCTAssertEqual(one.status, 200, one.text)
        XCTAssertEqual(one.json?["availability"] as? String, "LOW")
        XCTAssertEqual(try rest.get("/v2/catalog/gpus/NVIDIA%20B999").status, 404)
    }

    func testDataCenterCatalog() throws {
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA A40", "stockStatus": "Medium", "cloudType": "SECURE"])
        let list = try rest.get("/v2/catalog/datacenters")
        XCTAssertEqual(list.status, 200, list.text)
        let centres = try XCTUnwrap(list.json?["dataCenters"] as? [[String: Any]])
        XCTAssertEqual(centres.compactMap { $0["id"] as? String }, ["EU-RO-1", "CA-MTL-1"])
        XCTAssertNil(centres[0]["gpuAvailability"])
        let europe = try rest.get("/v2/catalog/datacenters?regions=EUROPE&include=GPU_AVAILABILITY")
        let only = try XCTUnwrap((europe.json?["dataCenters"] as? [[String: Any]])?.first, europe.text)
        XCTAssertEqual((europe.json?["dataCenters"] as? [Any])?.count, 1)
        let a40 = (only["gpuAvailability"] as? [[String: Any]])?.first { $0["id"] as? String == "NVIDIA A40" }
        XCTAssertEqual(a40?["availability"] as? String, "MEDIUM")
        XCTAssertEqual(try rest.get("/v2/catalog/datacenters?regions=MARS").status, 422)
        XCTAssertEqual(try rest.get("/v2/catalog/datacenters/CA-MTL-1").json?["region"] as? String, "NORTH_AMERICA")
        XCTAssertEqual(try rest.get("/v2/catalog/datacenters/XX-YY-1").status, 404)
    }

    func testCreateListGetAndTheSamePodsAsGraphQL() throws {
        let keyPath = try makeUserKey()
        let key = try publicKey(keyPath)
        XCTAssertEqual(try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": [key]]).status, 200)
        let created = try createPod(
            name: "rest-one", count: 2,
            extra: ["env": ["HF_HOME": "/workspace/hf"], "mounts": ["persistent": ["size": 40, "path": "/workspace"]]])
        let id = self.id(created)
        XCTAssertNotNil(id.range(of: "^[a-z0-9]{14}$", options: .regularExpression), id)
        XCTAssertEqual(created["status"] as? String, "PROVISIONING")
        XCTAssertEqual(created["actions"] as? [String], ["stop", "terminate"])
        XCTAssertEqual(created["cloud"] as? String, "SECURE", "v2's default cloud")
        XCTAssertEqual(created["dataCenterId"] as? String, "EU-RO-1")
        XCTAssertEqual(created["ports"] as? [String], ["8888/http", "22/tcp"])
        XCTAssertEqual((created["env"] as? [String: String])?["HF_HOME"], "/workspace/hf")
        XCTAssertEqual((created["env"] as? [String: String])?["PUBLIC_KEY"], key, "startSsh injects the registered keys")
        XCTAssertEqual(created["cost"] as? Double ?? 0, 0.80, accuracy: 1e-9)
        XCTAssertEqual((created["gpu"] as? [String: Any])?["count"] as? Int, 2)
        XCTAssertEqual(((created["mounts"] as? [String: Any])?["persistent"] as? [String: Any])?["size"] as? Int, 40)
        XCTAssertTrue(created["runtime"] is NSNull)
        XCTAssertTrue((created["ssh"] as? [String: Any])?["direct"] is NSNull, "no direct SSH while provisioning")
        XCTAssertTrue(created["startedAt"] is NSNull)

        let (running, _) = try waitForStatus(id, "RUNNING")
        XCTAssertEqual(running["actions"] as? [String], ["stop", "restart", "terminate"])
        let direct = try XCTUnwrap((running["ssh"] as? [String: Any])?["direct"] as? [String: Any], "\(running)")
        let port = try XCTUnwrap(direct["port"] as? Int)
        XCTAssertEqual(direct["host"] as? String, "127.0.0.1")
        XCTAssertEqual(direct["command"] as? String, "ssh \(direct["username"] as? String ?? "")@127.0.0.1 -p \(port)")
        XCTAssertEqual(port, try client.waitForSSHPort(id), "REST's ssh.direct is GraphQL's public port 22")
        let runtime = try XCTUnwrap(running["runtime"] as? [String: Any])
        XCTAssertEqual((runtime["gpus"] as? [Any])?.count, 2)
        XCTAssertTrue((runtime["ports"] as? [[String: Any]] ?? []).contains { $0["private"] as? Int == 22 && $0["public"] as? Int == port })
        XCTAssertFalse(running["startedAt"] is NSNull)
        do {
            let ssh = try XCTUnwrap(SSHProbe(port: port), "no SSH on ssh.direct")
            XCTAssertTrue(ssh.authenticate(user: direct["username"] as? String ?? "root", privateKey: keyPath))
        }

        // GraphQL sees the REST pod; REST sees a GraphQL pod.
        let graphQLPod = try client.createPod(name: "graphql-one")
        let listed = try rest.get("/v2/pods")
        XCTAssertEqual((listed.json?["pods"] as? [[String: Any]])?.compactMap { $0["name"] as? String }, ["rest-one", "graphql-one"])
        let gql = try client.graphQL("query { myself { pods { id name gpuCount volumeInGb env } } }")
        let names = ((gql.data("myself") as? [String: Any])?["pods"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        XCTAssertEqual(names, ["rest-one", "graphql-one"])
        XCTAssertEqual(try pod(graphQLPod)["cloud"] as? String, "SECURE")
        XCTAssertEqual(try rest.get("/v2/pods/nosuchpod00000").status, 404)
        XCTAssertEqual(try rest.get("/v2/pods/nosuchpod00000").detail, "pod not found")
    }

    func testCreateErrors() throws {
        func create(_ body: Any, apiKey: String? = nil) throws -> RESTTestClient.Reply {
            try rest.send("POST", "/v2/pods", json: body, apiKey: apiKey)
        }
        let valid: [String: Any] = ["name": "x", "image": Self.image, "gpu": ["id": "NVIDIA A40"]]

        var unknown = valid
        unknown["bogus"] = 1
        unknown["imageName"] = "GraphQL's name"
        let extra = try create(unknown)
        XCTAssertEqual(extra.status, 422, extra.text)
        XCTAssertEqual(extra.header("content-type"), "application/problem+json")
        XCTAssertEqual(extra.detail, "Request validation failed.")
        XCTAssertEqual(extra.errors, ["$: additional properties 'bogus', 'imageName' not allowed"])

        var nested = valid
        nested["gpu"] = ["id": "NVIDIA A40", "gpuCount": 2]
        XCTAssertEqual(try create(nested).errors, ["$.gpu: additional properties 'gpuCount' not allowed"])
        var mount = valid
        mount["mounts"] = ["persistent": ["size": 20, "path": "/w", "encrypted": true]]
        XCTAssertEqual(try create(mount).errors, ["$.mounts.persistent: additional properties 'encrypted' not allowed"])

        let missing = try create(["image": Self.image, "gpu": ["id": "NVIDIA A40"]])
        XCTAssertEqual(missing.status, 422)
        XCTAssertEqual(missing.errors, ["$: missing properties 'name'"])
        XCTAssertEqual(try create(["name": "x", "gpu": ["id": "NVIDIA A40"]]).errors, ["$: missing properties 'image'"])
        var types = valid
        types["ports"] = "8888/http,22/tcp"
        types["env"] = [["key": "A", "value": "b"]]
        types["cloud"] = "ALL"
        let wrongTypes = try create(types)
        XCTAssertEqual(wrongTypes.status, 422)
        XCTAssertEqual(
            Set(wrongTypes.errors),
            [
                "$.ports: got string, want array", "$.env: got array, want object",
                "$.cloud: value must be one of 'SECURE', 'COMMUNITY'",
            ])
        XCTAssertEqual(try rest.send("POST", "/v2/pods", rawBody: Data("{\"name\": ".utf8)).status, 400)
        XCTAssertEqual(try rest.send("POST", "/v2/pods").status, 400, "a body is required")

        var noGPU = valid
        noGPU.removeValue(forKey: "gpu")
        XCTAssertEqual(try create(noGPU).status, 400)
        var cpu = valid
        cpu["cpu"] = ["id": "cpu3c", "vcpuCount": 2]
        XCTAssertEqual(try create(cpu).status, 400)
        var bothMounts = valid
        bothMounts["mounts"] = ["persistent": ["size": 20, "path": "/a"], "network": [["volumeId": "v", "path": "/b"]]]
        XCTAssertEqual(try create(bothMounts).status, 400)
        var unknownGPU = valid
        unknownGPU["gpu"] = ["id": "RTX 4090"]
        XCTAssertEqual(try create(unknownGPU).status, 400, "displayName is not an id")
        var template = valid
        template["templateId"] = "runpod-torch-v21"
        XCTAssertEqual(try create(template).status, 404)
        var badPort = valid
        badPort["ports"] = ["8888/udp"]
        XCTAssertEqual(try create(badPort).status, 400)
        var cuda = valid
        cuda["gpu"] = ["id": "NVIDIA A40", "allowedCudaVersions": ["11.8"]]
        XCTAssertEqual(try create(cuda).detail, Self.noInstances, "a CUDA version no machine has is a capacity error")

        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA A40", "stockStatus": "None", "cloudType": "SECURE"])
        let capacity = try create(valid)
        XCTAssertEqual(capacity.status, 400)
        XCTAssertEqual(capacity.json?["title"] as? String, "Bad Request")
        XCTAssertEqual(capacity.detail, Self.noInstances)
        var community = valid
        community["cloud"] = "COMMUNITY"
        XCTAssertEqual(try create(community).status, 201, "community stock is untouched")
        var wrongCentre = valid
        wrongCentre["cloud"] = "COMMUNITY"
        wrongCentre["dataCenterIds"] = ["EU-RO-1"]
        XCTAssertEqual(try create(wrongCentre).detail, Self.noInstances, "EU-RO-1 is secure cloud only")
        wrongCentre["dataCenterIds"] = ["MARS-1"]
        XCTAssertEqual(try create(wrongCentre).status, 400)

        let podID = try XCTUnwrap(try client.simPods().first?["id"] as? String)
        let scoped = try create(community, apiKey: try podKey(podID))
        XCTAssertEqual(scoped.status, 403, "a pod's own key cannot create pods")
        XCTAssertEqual(try client.simPods().count, 1, "only the one valid create made a pod")
    }

    func testActionsStateMachineAnd409() throws {
        let id = self.id(try createPod(name: "acts"))
        XCTAssertEqual(try action(id, "start").status, 409, "start is not in a provisioning pod's actions")
        let (running, _) = try waitForStatus(id, "RUNNING")
        let firstPort = ((running["ssh"] as? [String: Any])?["direct"] as? [String: Any])?["port"] as? Int
        let conflict = try action(id, "start")
        XCTAssertEqual(conflict.status, 409)
        XCTAssertEqual(conflict.json?["title"] as? String, "Conflict")
        XCTAssertEqual(conflict.detail, "action 'start' is not valid for a pod in status RUNNING; valid actions: stop, restart, terminate")

        let stop = try action(id, "stop")
        XCTAssertEqual(stop.status, 200, stop.text)
        XCTAssertEqual(stop.json?["status"] as? String, "EXITED")
        XCTAssertEqual(stop.json?["actions"] as? [String], ["start", "terminate"])
        XCTAssertEqual(stop.json?["cost"] as? Double, 0)
        XCTAssertTrue(stop.json?["runtime"] is NSNull)
        XCTAssertTrue((stop.json?["ssh"] as? [String: Any])?["direct"] is NSNull)
        XCTAssertEqual(try action(id, "stop").status, 409)
        XCTAssertEqual(try action(id, "restart").status, 409)
        let gql = try XCTUnwrap(try podObject(id, fields: "desiredStatus"))
        XCTAssertEqual(gql["desiredStatus"] as? String, "EXITED", "GraphQL sees the REST stop")

        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA A40", "stockStatus": "None"])
        let noGPUs = try action(id, "start")
        XCTAssertEqual(noGPUs.status, 400)
        XCTAssertEqual(noGPUs.detail, "There are not enough free GPUs on the host machine to start this pod.")
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA A40", "stockStatus": "High"])
        let start = try action(id, "start")
        XCTAssertEqual(start.status, 200, start.text)
        XCTAssertEqual(start.json?["status"] as? String, "PROVISIONING")
        let (again, _) = try waitForStatus(id, "RUNNING")
        let secondPort = ((again["ssh"] as? [String: Any])?["direct"] as? [String: Any])?["port"] as? Int
        XCTAssertNotNil(secondPort)
        XCTAssertNotEqual(secondPort, firstPort, "a start publishes a new port, as on RunPod")

        let restart = try action(id, "restart")
        XCTAssertEqual(restart.status, 200, restart.text)
        XCTAssertNotEqual(restart.json?["status"] as? String, "RUNNING")
        try waitForStatus(id, "RUNNING")

        XCTAssertEqual(try action(id, "reset").status, 422, "v2 has no reset")
        let extra = try rest.send("POST", "/v2/pods/\(id)/action", json: ["action": "stop", "force": true])
        XCTAssertEqual(extra.status, 422)
        XCTAssertEqual(extra.errors, ["$: additional properties 'force' not allowed"])
        XCTAssertEqual(try action("nosuchpod00000", "stop").status, 404)

        let terminate = try action(id, "terminate")
        XCTAssertEqual(terminate.status, 204)
        XCTAssertTrue(terminate.body.isEmpty)
        let gone = try pod(id)
        XCTAssertEqual(gone["status"] as? String, "TERMINATED")
        XCTAssertEqual(gone["actions"] as? [String], [])
        XCTAssertEqual(try action(id, "terminate").status, 409)
        XCTAssertEqual((try rest.get("/v2/pods").json?["pods"] as? [Any])?.count, 0, "terminated pods leave the list")
        XCTAssertEqual(try rest.send("DELETE", "/v2/pods/\(id)").status, 404)
    }

    func testPatchAndDelete() throws {
        let id = self.id(try createPod(name: "before", extra: ["mounts": ["persistent": ["size": 20, "path": "/workspace"]]]))
        let renamed = try rest.send("PATCH", "/v2/pods/\(id)", json: ["name": "after", "locked": true, "env": ["A": "1"]])
        XCTAssertEqual(renamed.status, 200, renamed.text)
        XCTAssertEqual(renamed.json?["name"] as? String, "after")
        XCTAssertEqual(renamed.json?["locked"] as? Bool, true)
        XCTAssertEqual(renamed.json?["env"] as? [String: String], ["A": "1"], "PATCH replaces env")
        XCTAssertEqual(renamed.json?["actions"] as? [String], ["terminate"], "a locked pod cannot be stopped")
        XCTAssertEqual(try action(id, "stop").status, 409)
        let gql = try XCTUnwrap(try podObject(id, fields: "name locked"))
        XCTAssertEqual(gql["name"] as? String, "after")
        XCTAssertEqual(gql["locked"] as? Bool, true)

        let ports = try rest.send("PATCH", "/v2/pods/\(id)", json: ["ports": ["22/tcp"], "locked": false])
        XCTAssertEqual(ports.json?["ports"] as? [String], ["22/tcp"])
        let grow = try rest.send("PATCH", "/v2/pods/\(id)", json: ["mounts": ["persistent": ["size": 50, "path": "/data"]]])
        XCTAssertEqual(((grow.json?["mounts"] as? [String: Any])?["persistent"] as? [String: Any])?["size"] as? Int, 50)

        XCTAssertEqual(try rest.send("PATCH", "/v2/pods/\(id)", json: ["imageName": "x"]).status, 422)
        XCTAssertEqual(try rest.send("PATCH", "/v2/pods/\(id)", json: ["name": ""]).status, 422)
        XCTAssertEqual(
            try rest.send("PATCH", "/v2/pods/\(id)", json: ["mounts": ["network": [["volumeId": "abc", "path": "/n"]]]]).status, 400,
            "the mount kind is fixed at create")
        XCTAssertEqual(try rest.send("PATCH", "/v2/pods/nosuchpod00000", json: ["name": "x"]).status, 404)

        XCTAssertEqual(try rest.send("DELETE", "/v2/pods/\(id)").status, 204)
        XCTAssertEqual(try rest.send("PATCH", "/v2/pods/\(id)", json: ["name": "x"]).status, 404)
        XCTAssertFalse(try client.graphQL("query { pod(input: {podId: \"\(id)\"}) { id } }").errors.isEmpty)
        XCTAssertEqual(try client.simPods().first?["terminated"] as? Bool, true)
    }

    func testStatusGoesThroughProvisioningAndStarting() throws {
        // The default boot delay of this class (0.3 s) is too short to watch; this pod's is 3 s.
        sim.stop()
        sim = try RunPodSimulator.start(SimulatorOptions(apiKey: "test-account-key", bootDelay: 3))
        rest = RESTTestClient(baseURL: sim.baseURL, apiKey: sim.apiKey)
        client = SimulatorClient(baseURL: sim.baseURL, apiKey: sim.apiKey)
        let created = try createPod(name: "slow")
        XCTAssertEqual(created["status"] as? String, "PROVISIONING")
        let (_, seen) = try waitForStatus(id(created), "RUNNING")
        XCTAssertEqual(seen, ["PROVISIONING", "STARTING", "RUNNING"])
    }

    func testSSHKeysAreTheKeysGraphQLUses() throws {
        let empty = try rest.get("/v2/account/ssh-keys")
        XCTAssertEqual(empty.json?["keys"] as? [String], [])
        let keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIone one@host", "ecdsa-sha2-nistp256 AAAAE2VjZHNh two@host"]
        let put = try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": keys])
        XCTAssertEqual(put.status, 200, put.text)
        XCTAssertEqual(put.json?["keys"] as? [String], keys)
        let me = try client.graphQL("query { myself { pubKey } }")
        XCTAssertEqual((me.data("myself") as? [String: Any])?["pubKey"] as? String, keys.joined(separator: "\n"))

        try registerAccountKey("ssh-ed25519 AAAAthree three@host\n\nssh-ed25519 AAAAfour four@host")
        XCTAssertEqual(
            try rest.get("/v2/account/ssh-keys").json?["keys"] as? [String],
            ["ssh-ed25519 AAAAthree three@host", "ssh-ed25519 AAAAfour four@host"], "GraphQL's blank-line separated set")
        XCTAssertEqual(try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": []]).json?["keys"] as? [String], [])

        let bad = try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": ["not a key"]])
        XCTAssertEqual(bad.status, 422)
        XCTAssertEqual(bad.errors.count, 1)
        XCTAssertEqual(try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": [], "merge": true]).status, 422)
        XCTAssertEqual(try rest.send("PUT", "/v2/account/ssh-keys", json: ["key": "x"]).status, 422)

        let id = self.id(try createPod())
        let scoped = try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": []], apiKey: try podKey(id))
        XCTAssertEqual(scoped.status, 403)
        XCTAssertEqual(try rest.get("/v2/account/ssh-keys", apiKey: try podKey(id)).status, 200)
    }

    func testNetworkVolumesAndMounts() throws {
        let create = try rest.send("POST", "/v2/network-volumes", json: ["name": "data", "size": 50, "dataCenter": "EU-RO-1"])
        XCTAssertEqual(create.status, 201, create.text)
        let volumeID = try XCTUnwrap(create.json?["id"] as? String)
        XCTAssertEqual(create.json?["type"] as? String, "STANDARD")
        XCTAssertEqual(try rest.get("/v2/network-volumes/\(volumeID)").json?["size"] as? Int, 50)
        XCTAssertEqual((try rest.get("/v2/network-volumes").json?["networkVolumes"] as? [Any])?.count, 1)
        let me = try client.graphQL("query { myself { networkVolumes { id name size dataCenterId } } }")
        XCTAssertEqual(
            ((me.data("myself") as? [String: Any])?["networkVolumes"] as? [[String: Any]])?.first?["id"] as? String, volumeID)

        XCTAssertEqual(try rest.send("POST", "/v2/network-volumes", json: ["name": "x", "size": 5, "dataCenter": "EU-RO-1"]).status, 422)
        XCTAssertEqual(try rest.send("POST", "/v2/network-volumes", json: ["name": "x", "size": 10, "dataCenter": "MARS-1"]).status, 400)
        XCTAssertEqual(
            try rest.send("POST", "/v2/network-volumes", json: ["name": "x", "size": 10, "dataCenter": "CA-MTL-1", "type": "HIGH_PERFORMANCE"])
                .status, 400)
        XCTAssertEqual(
            try rest.send("POST", "/v2/network-volumes", json: ["name": "x", "size": 10, "dataCenter": "EU-RO-1", "region": "EU"]).status,
            422)
        let grow = try rest.send("PATCH", "/v2/network-volumes/\(volumeID)", json: ["size": 100, "name": "bigger"])
        XCTAssertEqual(grow.status, 200, grow.text)
        XCTAssertEqual(grow.json?["size"] as? Int, 100)
        XCTAssertEqual(try rest.send("PATCH", "/v2/network-volumes/\(volumeID)", json: ["size": 60]).status, 400, "no shrinking")
        XCTAssertEqual(try rest.send("PATCH", "/v2/network-volumes/\(volumeID)", json: [:]).status, 422, "minProperties 1")
        XCTAssertEqual(try rest.get("/v2/network-volumes/nosuchvol").status, 404)

        let pod = try createPod(extra: ["mounts": ["network": [["volumeId": volumeID, "path": "/data"]]]])
        XCTAssertEqual(pod["dataCenterId"] as? String, "EU-RO-1", "placed where the volume is")
        XCTAssertEqual(
            (((pod["mounts"] as? [String: Any])?["network"] as? [[String: Any]])?.first)?["volumeId"] as? String, volumeID)
        let elsewhere = try rest.send(
            "POST", "/v2/pods",
            json: [
                "name": "x", "image": Self.image, "gpu": ["id": "NVIDIA A40"], "dataCenterIds": ["CA-MTL-1"],
                "mounts": ["network": [["volumeId": volumeID, "path": "/data"]]],
            ])
        XCTAssertEqual(elsewhere.status, 400, elsewhere.text)
        XCTAssertEqual(try rest.send("DELETE", "/v2/network-volumes/\(volumeID)").status, 409, "mounted by a live pod")
        XCTAssertEqual(try rest.send("DELETE", "/v2/pods/\(id(pod))").status, 204)
        XCTAssertEqual(try rest.send("DELETE", "/v2/network-volumes/\(volumeID)").status, 204)
        XCTAssertEqual(try rest.get("/v2/network-volumes/\(volumeID)").status, 404)
    }

    func testPodScopedKey() throws {
        let mine = id(try createPod(name: "mine"))
        let other = id(try createPod(name: "other"))
        let key = try podKey(mine)
        let listed = try rest.get("/v2/pods", apiKey: key)
        XCTAssertEqual((listed.json?["pods"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [mine])
        XCTAssertEqual(try rest.get("/v2/pods/\(other)", apiKey: key).status, 404)
        XCTAssertEqual(try action(other, "terminate", apiKey: key).status, 404)
        XCTAssertEqual(try rest.send("DELETE", "/v2/pods/\(other)", apiKey: key).status, 404)
        XCTAssertEqual(try rest.send("PATCH", "/v2/pods/\(other)", json: ["name": "x"], apiKey: key).status, 404)
        XCTAssertEqual(try rest.send("POST", "/v2/network-volumes", json: ["name": "x", "size": 10, "dataCenter": "EU-RO-1"], apiKey: key).status, 403)
        let billing = try rest.get("/v2/billing/pods", apiKey: key)
        XCTAssertEqual(Set((billing.json?["records"] as? [[String: Any]] ?? []).compactMap { $0["podId"] as? String }), [mine])
        XCTAssertEqual(try action(mine, "stop", apiKey: key).status, 200, "a pod key acts on its own pod")
        XCTAssertEqual(try action(mine, "terminate", apiKey: key).status, 204)
        XCTAssertEqual(try rest.get("/v2/pods", apiKey: key).status, 401, "a terminated pod's key is dead")
    }

    func testFaultsTargetRESTWith429AndRetryAfter() throws {
        try client.control("POST", "/_sim/faults", ["status": 429, "count": 1, "api": "rest", "retryAfter": 3])
        XCTAssertEqual(try client.graphQL("query { myself { id } }").status, 200, "api rest leaves GraphQL alone")
        let limited = try rest.get("/v2/pods")
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.header("retry-after"), "3")
        XCTAssertEqual(limited.header("content-type"), "application/problem+json")
        XCTAssertEqual(limited.json?["title"] as? String, "Too Many Requests")
        XCTAssertEqual(limited.detail, "rate limit exceeded for the minute window")
        XCTAssertTrue(limited.header("ratelimit")?.hasPrefix("\"minute\";r=0;t=3") ?? false, limited.header("ratelimit") ?? "")
        XCTAssertEqual(try rest.get("/v2/pods").status, 200, "the fault was used up")

        // A 429 without retryAfter still says when to come back.
        try client.control("POST", "/_sim/faults", ["status": 429, "count": 1])
        XCTAssertEqual(try rest.get("/v2/catalog/gpus").header("retry-after"), "1")

        // Path and method targeting: listing is untouched, creating fails before anything exists.
        try client.control("POST", "/_sim/faults", ["status": 503, "count": 1, "path": "/v2/pods", "method": "POST"])
        XCTAssertEqual(try client.graphQL("mutation { podFindAndDeployOnDemand(input: {gpuTypeId: \"NVIDIA A40\"}) { id } }").status, 200)
        XCTAssertEqual(try rest.get("/v2/pods").status, 200)
        let refused = try rest.send("POST", "/v2/pods", json: ["name": "x", "image": Self.image, "gpu": ["id": "NVIDIA A40"]])
        XCTAssertEqual(refused.status, 503)
        XCTAssertEqual(refused.detail, "Something went wrong. Please try again later or contact support.")
        XCTAssertEqual(try client.simPods().count, 1, "only the GraphQL create made a pod")

        // operationId targeting, and afterCommit: the pod exists although the reply was 500.
        try client.control("POST", "/_sim/faults", ["status": 500, "count": 1, "operation": "createPod", "afterCommit": true])
        XCTAssertEqual(try rest.get("/v2/pods").status, 200)
        let lost = try rest.send("POST", "/v2/pods", json: ["name": "lost-create", "image": Self.image, "gpu": ["id": "NVIDIA A40"]])
        XCTAssertEqual(lost.status, 500)
        let names = (try rest.get("/v2/pods").json?["pods"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        XCTAssertTrue(names.contains("lost-create"), "\(names)")

        // A capacity message on demand, for a create the catalogue said would work.
        try client.control("POST", "/_sim/faults", ["status": 400, "count": 1, "operation": "createPod", "message": Self.noInstances])
        let capacity = try rest.send("POST", "/v2/pods", json: ["name": "x", "image": Self.image, "gpu": ["id": "NVIDIA A40"]])
        XCTAssertEqual(capacity.status, 400)
        XCTAssertEqual(capacity.detail, Self.noInstances)

        try client.control("POST", "/_sim/faults", ["delayMs": 1200, "count": 1, "api": "rest"])
        let started = Date()
        XCTAssertEqual(try rest.get("/v2/pods").status, 200)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.1)
        XCTAssertEqual(try client.control("POST", "/_sim/faults", ["status": 500, "api": "soap"]).status, 400)
    }

    func testUtilisationReachesRESTGraphQLAndNvidiaSMI() throws {
        let keyPath = try makeUserKey()
        XCTAssertEqual(try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": [try publicKey(keyPath)]]).status, 200)
        let id = self.id(try createPod(name: "busy", count: 2))
        let (running, _) = try waitForStatus(id, "RUNNING")
        let direct = try XCTUnwrap((running["ssh"] as? [String: Any])?["direct"] as? [String: Any])
        XCTAssertEqual(((running["runtime"] as? [String: Any])?["gpus"] as? [[String: Any]])?.first?["util"] as? Int, 0)

        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/gpu", ["util": 80, "memoryUtil": 40]).status, 200)
        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/gpu", ["util": 15, "index": 1]).status, 200)
        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/usage", ["cpu": 35, "memory": 60]).status, 200)
        let runtime = try XCTUnwrap(try pod(id)["runtime"] as? [String: Any])
        let gpus = try XCTUnwrap(runtime["gpus"] as? [[String: Any]])
        XCTAssertEqual(gpus.map { $0["util"] as? Int }, [80, 15])
        XCTAssertEqual(gpus.map { $0["memoryUtil"] as? Int }, [40, 40])
        XCTAssertEqual((runtime["cpu"] as? [String: Any])?["util"] as? Int, 35)
        XCTAssertEqual((runtime["memory"] as? [String: Any])?["util"] as? Int, 60)

        let gql = try XCTUnwrap(try podObject(id, fields: "runtime { gpus { id gpuUtilPercent memoryUtilPercent } container { cpuPercent memoryPercent } }"))
        let gqlRuntime = try XCTUnwrap(gql["runtime"] as? [String: Any])
        XCTAssertEqual((gqlRuntime["gpus"] as? [[String: Any]])?.map { $0["gpuUtilPercent"] as? Int }, [80, 15])
        XCTAssertEqual((gqlRuntime["gpus"] as? [[String: Any]])?.map { $0["memoryUtilPercent"] as? Int }, [40, 40])
        XCTAssertEqual((gqlRuntime["container"] as? [String: Any])?["cpuPercent"] as? Int, 35)

        let ssh = try XCTUnwrap(SSHProbe(port: try XCTUnwrap(direct["port"] as? Int)))
        XCTAssertTrue(ssh.authenticate(user: direct["username"] as? String ?? "root", privateKey: keyPath))
        let query = try XCTUnwrap(ssh.exec("nvidia-smi --query-gpu=utilization.gpu,memory.used,name --format=csv,noheader,nounits"))
        XCTAssertEqual(query, "80, 19660, NVIDIA A40\n15, 19660, NVIDIA A40\n", "40% of 48 GB, per GPU")
        let withHeader = try XCTUnwrap(ssh.exec("nvidia-smi --query-gpu=index,utilization.gpu,memory.total --format=csv"))
        XCTAssertEqual(withHeader, "index, utilization.gpu [%], memory.total [MiB]\n0, 80 %, 49152 MiB\n1, 15 %, 49152 MiB\n")
        let table = try XCTUnwrap(ssh.exec("nvidia-smi"))
        XCTAssertTrue(table.contains("NVIDIA A40"), table)
        XCTAssertTrue(table.contains("80%"), table)
        XCTAssertEqual(try XCTUnwrap(ssh.exec("nvidia-smi -L")).split(separator: "\n").count, 2)

        // A change is seen by the next nvidia-smi without a restart.
        try client.control("POST", "/_sim/pods/\(id)/gpu", ["util": 5, "memoryUtil": 0])
        XCTAssertEqual(
            ssh.exec("nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader,nounits"), "5, 0\n5, 0\n")
        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/gpu", [:]).status, 400)
        XCTAssertEqual(try client.control("POST", "/_sim/pods/nosuchpod00000/gpu", ["util": 1]).status, 404)
    }

    func testBillingChargesTheRealRunningIntervals() throws {
        let before = Date()
        let id = self.id(
            try createPod(name: "billed", count: 2, extra: ["disk": 50, "mounts": ["persistent": ["size": 100, "path": "/workspace"]]]))
        let afterCreate = Date()
        try waitForStatus(id, "RUNNING")
        let beforeStop = Date()
        XCTAssertEqual(try action(id, "stop").status, 200)
        let afterStop = Date()
        XCTAssertTrue(SimulatorClient.waitUntil(timeout: 5) { Date().timeIntervalSince(afterStop) > 0.3 }, "a stopped stretch")
        let beforeBill = Date()
        let reply = try rest.get("/v2/billing/pods?podId=\(id)&bucketSize=year")
        let afterBill = Date()
        XCTAssertEqual(reply.status, 200, reply.text)
        let records = try XCTUnwrap(reply.json?["records"] as? [[String: Any]])
        XCTAssertFalse(records.isEmpty)
        XCTAssertTrue(records.allSatisfy { $0["podId"] as? String == id })
        func sum(_ key: String) -> Double { records.reduce(0) { $0 + ($1[key] as? Double ?? 0) } }

        // 2 x A40 secure = $0.80/h while running; container disk 50 GB at $0.10/GB/month while
        // running; the 100 GB volume at $0.10 running and $0.20 stopped (a month is 30 days).
        let runMin = beforeStop.timeIntervalSince(afterCreate)
        let runMax = afterStop.timeIntervalSince(before)
        let stopMin = beforeBill.timeIntervalSince(afterStop)
        let stopMax = afterBill.timeIntervalSince(beforeStop)
        let month = 30.0 * 86_400
        let gpu = sum("gpuAmount")
        XCTAssertGreaterThanOrEqual(gpu, 0.8 * runMin / 3600)
        XCTAssertLessThanOrEqual(gpu, 0.8 * runMax / 3600)
        let disk = sum("diskAmount")
        XCTAssertGreaterThanOrEqual(disk, (50 * 0.10 * runMin + 100 * (0.10 * runMin + 0.20 * stopMin)) / month)
        XCTAssertLessThanOrEqual(disk, (50 * 0.10 * runMax + 100 * (0.10 * runMax + 0.20 * stopMax)) / month)
        XCTAssertEqual(sum("cpuAmount"), 0)
        XCTAssertEqual(sum("totalAmount"), gpu + disk, accuracy: 1e-12)
        let metadata = try XCTUnwrap(reply.json?["metadata"] as? [String: Any])
        XCTAssertEqual(metadata["recordCount"] as? Int, records.count)
        XCTAssertEqual(metadata["uniquePodCount"] as? Int, 1)
        XCTAssertEqual((metadata["totals"] as? [String: Any])?["gpuAmount"] as? Double ?? -1, gpu, accuracy: 1e-12)
        XCTAssertEqual((metadata["query"] as? [String: Any])?["bucketSize"] as? String, "year")
        XCTAssertEqual((metadata["query"] as? [String: Any])?["podId"] as? String, id)

        // Stopped, the volume still costs; terminated, nothing more accrues.
        let stoppedLater = try rest.get("/v2/billing/pods?podId=\(id)&bucketSize=year")
        let total = { (reply: RESTTestClient.Reply) in
            ((reply.json?["metadata"] as? [String: Any])?["totals"] as? [String: Any])?["totalAmount"] as? Double ?? -1
        }
        XCTAssertGreaterThan(total(stoppedLater), total(reply))
        XCTAssertEqual(try rest.send("DELETE", "/v2/pods/\(id)").status, 204)
        let final = total(try rest.get("/v2/billing/pods?podId=\(id)&bucketSize=year"))
        XCTAssertTrue(SimulatorClient.waitUntil(timeout: 5) { Date().timeIntervalSince(afterBill) > 0.5 })
        XCTAssertEqual(total(try rest.get("/v2/billing/pods?podId=\(id)&bucketSize=year")), final)

        // lastN buckets end with the current one; the two window forms do not mix.
        let hours = try rest.get("/v2/billing/pods?bucketSize=hour&lastN=3")
        let query = try XCTUnwrap((hours.json?["metadata"] as? [String: Any])?["query"] as? [String: Any])
        let start = try XCTUnwrap(ISO8601DateFormatter().date(from: query["startTime"] as? String ?? ""))
        let end = try XCTUnwrap(ISO8601DateFormatter().date(from: query["endTime"] as? String ?? ""))
        XCTAssertEqual(end.timeIntervalSince(start), 3 * 3600)
        XCTAssertGreaterThan(end, Date())
        XCTAssertTrue(query["podId"] is NSNull)
        XCTAssertEqual(try rest.get("/v2/billing/pods?lastN=2&endTime=2026-01-01T00:00:00Z").status, 400)
        XCTAssertEqual(try rest.get("/v2/billing/pods?bucketSize=fortnight").status, 422)
        XCTAssertEqual(try rest.get("/v2/billing/pods?startTime=yesterday").status, 422)
    }
}
