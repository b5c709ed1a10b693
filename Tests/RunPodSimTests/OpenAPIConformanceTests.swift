import AutopodSupport
import Foundation
import RunPodSim
import TestSupport
import XCTest

/// Every reply of every REST endpoint the simulator serves, for each status it gives, checked
/// against the schema RunPod's own OpenAPI document (Resources/runpod-openapi-v2.json, see the
/// README there) gives for that status, by `jsonschema` in Python.
final class OpenAPIConformanceTests: RESTTestCase {
    private static let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Resources")
    private static let document = resources.appendingPathComponent("runpod-openapi-v2.json").path
    private static let validator = resources.appendingPathComponent("validate_replies.py").path

    /// The operations the simulator serves, as the document's paths name them.
    private static let templates: [(String, String)] = [
        ("GET", "/v2/catalog/gpus"), ("GET", "/v2/catalog/gpus/{id}"), ("GET", "/v2/catalog/datacenters"),
        ("GET", "/v2/catalog/datacenters/{id}"), ("GET", "/v2/pods"), ("POST", "/v2/pods"), ("GET", "/v2/pods/{id}"),
        ("PATCH", "/v2/pods/{id}"), ("DELETE", "/v2/pods/{id}"), ("POST", "/v2/pods/{id}/action"),
        ("GET", "/v2/pods/{id}/logs"), ("GET", "/v2/account/ssh-keys"), ("PUT", "/v2/account/ssh-keys"),
        ("GET", "/v2/network-volumes"), ("POST", "/v2/network-volumes"), ("GET", "/v2/network-volumes/{id}"),
        ("PATCH", "/v2/network-volumes/{id}"), ("DELETE", "/v2/network-volumes/{id}"), ("GET", "/v2/billing/pods"),
    ]

    func testEveryReplyOfEveryEndpointMatchesTheDocument() throws {
        let recorder = ReplyRecorder()
        rest.recorder = recorder
        try driveEveryEndpoint()

        // Every operation was exercised with its success status and with the errors it can give.
        var covered = Set<String>()
        for reply in recorder.all {
            guard let template = Self.template(reply.method, reply.path) else {
                XCTFail("recorded a reply of an operation the document lacks: \(reply.method) \(reply.path)")
                continue
            }
            covered.insert("\(reply.method) \(template) \(reply.status)")
        }
        let expected: [String] = [
            "GET /v2/catalog/gpus 200", "GET /v2/catalog/gpus 400", "GET /v2/catalog/gpus 422", "GET /v2/catalog/gpus 401",
            "GET /v2/catalog/gpus/{id} 200", "GET /v2/catalog/gpus/{id} 404",
            "GET /v2/catalog/datacenters 200", "GET /v2/catalog/datacenters 422", "GET /v2/catalog/datacenters/{id} 200",
            "GET /v2/catalog/datacenters/{id} 404",
            "GET /v2/pods 200", "GET /v2/pods 401", "GET /v2/pods 429",
            "POST /v2/pods 201", "POST /v2/pods 400", "POST /v2/pods 403", "POST /v2/pods 404", "POST /v2/pods 422",
            "POST /v2/pods 429", "POST /v2/pods 500",
            "GET /v2/pods/{id} 200", "GET /v2/pods/{id} 404",
            "PATCH /v2/pods/{id} 200", "PATCH /v2/pods/{id} 400", "PATCH /v2/pods/{id} 404", "PATCH /v2/pods/{id} 422",
            "DELETE /v2/pods/{id} 204", "DELETE /v2/pods/{id} 404",
            "POST /v2/pods/{id}/action 200", "POST /v2/pods/{id}/action 204", "POST /v2/pods/{id}/action 400",
            "POST /v2/pods/{id}/action 404", "POST /v2/pods/{id}/action 409", "POST /v2/pods/{id}/action 422",
            "GET /v2/pods/{id}/logs 200", "GET /v2/pods/{id}/logs 401", "GET /v2/pods/{id}/logs 404",
            "GET /v2/pods/{id}/logs 422", "GET /v2/pods/{id}/logs 429",
            "GET /v2/account/ssh-keys 200", "PUT /v2/account/ssh-keys 200", "PUT /v2/account/ssh-keys 403",
            "PUT /v2/account/ssh-keys 422",
            "GET /v2/network-volumes 200", "POST /v2/network-volumes 201", "POST /v2/network-volumes 400",
            "POST /v2/network-volumes 422", "GET /v2/network-volumes/{id} 200", "GET /v2/network-volumes/{id} 404",
            "PATCH /v2/network-volumes/{id} 200", "PATCH /v2/network-volumes/{id} 400", "PATCH /v2/network-volumes/{id} 422",
            "DELETE /v2/network-volumes/{id} 204", "DELETE /v2/network-volumes/{id} 404", "DELETE /v2/network-volumes/{id} 409",
            "GET /v2/billing/pods 200", "GET /v2/billing/pods 400", "GET /v2/billing/pods 422",
        ]
        for entry in expected { XCTAssertTrue(covered.contains(entry), "the scenario never produced \(entry)") }
        for (method, template) in Self.templates {
            XCTAssertTrue(covered.contains { $0.hasPrefix("\(method) \(template) ") }, "\(method) \(template) was never called")
        }

        let (status, output) = try validate(try recorder.json())
        XCTAssertEqual(status, 0, "replies that break RunPod's OpenAPI document:\n\(output)")
        XCTAssertTrue(output.contains("checked \(recorder.all.count) replies, 0 problems"), output)
    }

    /// The check can fail: the same replies with one field broken are refused, by name.
    func testTheValidatorRefusesAReplyThatBreaksTheSchema() throws {
        let recorder = ReplyRecorder()
        rest.recorder = recorder
        let id = id(try createPod(name: "conformance"))
        try waitForStatus(id, "RUNNING")
        let good = try recorder.json()
        XCTAssertEqual(try validate(good).status, 0)

        var entries = try XCTUnwrap(try JSONSerialization.jsonObject(with: good) as? [[String: Any]])
        let index = try XCTUnwrap(entries.lastIndex { $0["method"] as? String == "GET" && $0["status"] as? Int == 200 })
        var pod = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data((entries[index]["body"] as? String ?? "").utf8)) as? [String: Any])
        pod["status"] = "BOOTING"
        pod.removeValue(forKey: "actions")
        var direct = (pod["ssh"] as? [String: Any])?["direct"] as? [String: Any] ?? [:]
        direct["port"] = "22"
        pod["ssh"] = ["proxy": NSNull(), "direct": direct]
        entries[index]["body"] = String(decoding: try JSONSerialization.data(withJSONObject: pod), as: UTF8.self)
        let (status, output) = try validate(try JSONSerialization.data(withJSONObject: entries))
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("'BOOTING' is not one of"), output)
        XCTAssertTrue(output.contains("'actions' is a required property"), output)
        XCTAssertTrue(output.contains("ssh/direct"), output)
        XCTAssertTrue(output.contains("3 problems"), output)

        // A 204 with a body and an undocumented status are refused too.
        let odd: [[String: Any]] = [
            ["method": "DELETE", "path": "/v2/pods/\(id)", "status": 204, "contentType": "", "retryAfter": NSNull(), "body": "{}"],
            [
                "method": "GET", "path": "/v2/pods", "status": 429, "contentType": "application/problem+json",
                "retryAfter": NSNull(), "body": "{\"title\":\"Too Many Requests\",\"status\":429,\"detail\":\"x\"}",
            ],
        ]
        let (oddStatus, oddOutput) = try validate(try JSONSerialization.data(withJSONObject: odd))
        XCTAssertEqual(oddStatus, 1)
        XCTAssertTrue(oddOutput.contains("2 problems"), oddOutput)
    }

    // MARK: The scenario

    /// Calls every operation, through its success and error replies.
    private func driveEveryEndpoint() throws {
        // Catalogue.
        XCTAssertEqual(try rest.get("/v2/catalog/gpus").status, 200)
        XCTAssertEqual(try rest.get("/v2/catalog/gpus", apiKey: "").status, 401)
        XCTAssertEqual(try rest.get("/v2/pods", apiKey: "wrong").status, 401)
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA L40S", "stockStatus": "None"])
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA RTX A5000", "stockStatus": "Low"])
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?include=AVAILABILITY&product=POD&count=1&cloud=SECURE").status, 200)
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?include=AVAILABILITY&product=POD,SERVERLESS&cloud=COMMUNITY&count=2").status, 200)
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?include=AVAILABILITY").status, 400)
        XCTAssertEqual(try rest.get("/v2/catalog/gpus?include=AVAILABILITY&product=POD&count=0").status, 422)
        XCTAssertEqual(try rest.get("/v2/catalog/gpus/NVIDIA%20A40?include=AVAILABILITY&product=POD").status, 200)
        XCTAssertEqual(try rest.get("/v2/catalog/gpus/NVIDIA%20B999").status, 404)
        XCTAssertEqual(try rest.get("/v2/catalog/datacenters").status, 200)
        XCTAssertEqual(try rest.get("/v2/catalog/datacenters?include=GPU_AVAILABILITY&regions=EUROPE,NORTH_AMERICA").status, 200)
        XCTAssertEqual(try rest.get("/v2/catalog/datacenters?include=EVERYTHING").status, 422)
        XCTAssertEqual(try rest.get("/v2/catalog/datacenters/EU-RO-1?include=GPU_AVAILABILITY").status, 200)
        XCTAssertEqual(try rest.get("/v2/catalog/datacenters/XX-1").status, 404)

        // Keys.
        let keyPath = try makeUserKey()
        XCTAssertEqual(try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": [try publicKey(keyPath)]]).status, 200)
        XCTAssertEqual(try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": ["nope"]]).status, 422)
        XCTAssertEqual(try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": [], "extra": 1]).status, 422)
        XCTAssertEqual(try rest.get("/v2/account/ssh-keys").status, 200)

        // Pods in every state, and their errors.
        let running = id(try createPod(name: "running", count: 2, extra: ["mounts": ["persistent": ["size": 20, "path": "/workspace"]]]))
        let provisioning = try createPod(name: "provisioning")
        XCTAssertEqual(provisioning["status"] as? String, "PROVISIONING")
        XCTAssertEqual(try rest.send("POST", "/v2/pods", json: ["name": "x", "image": "i", "gpu": ["id": "NVIDIA L40S"]]).status, 400)
        XCTAssertEqual(try rest.send("POST", "/v2/pods", json: ["name": "x", "gpu": ["id": "NVIDIA A40"], "bogus": 1]).status, 422)
        XCTAssertEqual(
            try rest.send("POST", "/v2/pods", json: ["name": "x", "templateId": "t", "gpu": ["id": "NVIDIA A40"]]).status, 404)
        XCTAssertEqual(
            try rest.send("POST", "/v2/pods", json: ["name": "x", "image": "i", "gpu": ["id": "NVIDIA A40"]], apiKey: try podKey(running))
                .status, 403)
        XCTAssertEqual(try rest.send("PUT", "/v2/account/ssh-keys", json: ["keys": []], apiKey: try podKey(running)).status, 403)
        try waitForStatus(running, "RUNNING")
        try client.control("POST", "/_sim/pods/\(running)/gpu", ["util": 90, "memoryUtil": 30])
        XCTAssertEqual(try rest.get("/v2/pods").status, 200)
        XCTAssertEqual(try rest.get("/v2/pods/\(running)").status, 200)
        XCTAssertEqual(try rest.get("/v2/pods/nosuchpod00000").status, 404)

        XCTAssertEqual(try rest.send("PATCH", "/v2/pods/\(running)", json: ["name": "renamed", "env": ["A": "1"], "ports": ["22/tcp"]]).status, 200)
        XCTAssertEqual(try rest.send("PATCH", "/v2/pods/\(running)", json: ["gpu": ["id": "x"]]).status, 422)
        XCTAssertEqual(try rest.send("PATCH", "/v2/pods/\(running)", json: ["mounts": ["network": []]]).status, 400)
        XCTAssertEqual(try rest.send("PATCH", "/v2/pods/nosuchpod00000", json: ["name": "x"]).status, 404)

        XCTAssertEqual(try action(running, "start").status, 409)
        XCTAssertEqual(try action(running, "explode").status, 422)
        XCTAssertEqual(try action("nosuchpod00000", "stop").status, 404)
        XCTAssertEqual(try action(running, "restart").status, 200)
        try waitForStatus(running, "RUNNING")
        XCTAssertEqual(try action(running, "stop").status, 200)
        XCTAssertEqual(try rest.get("/v2/pods").status, 200, "a list with an EXITED pod")
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA A40", "stockStatus": "None"])
        XCTAssertEqual(try action(running, "start").status, 400)
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA A40", "stockStatus": "High"])
        XCTAssertEqual(try action(running, "start").status, 200)

        // Logs.
        try client.control("POST", "/_sim/pods/\(running)/log", ["lines": ["a \"quoted\" line", "ünïcödé / slash", "tab\there"]])
        let stream = try rest.openStream("/v2/pods/\(running)/logs?tail=50")
        XCTAssertEqual(try stream.next(5).count, 5)
        stream.close()
        for bad in ["/v2/pods/\(running)/logs?tail=9999", "/v2/pods/nosuchpod00000/logs"] {
            let refused = try rest.openStream(bad)
            XCTAssertNotEqual(refused.status, 200)
            refused.close()
        }
        try rest.openStream("/v2/pods/\(running)/logs", apiKey: "wrong").close()
        try client.control("POST", "/_sim/faults", ["status": 429, "count": 1, "operation": "getPodLogs"])
        try rest.openStream("/v2/pods/\(running)/logs").close()

        // Network volumes.
        let volume = try rest.send("POST", "/v2/network-volumes", json: ["name": "v", "size": 20, "dataCenter": "EU-RO-1", "type": "HIGH_PERFORMANCE"])
        XCTAssertEqual(volume.status, 201)
        let volumeID = volume.json?["id"] as? String ?? ""
        XCTAssertEqual(try rest.send("POST", "/v2/network-volumes", json: ["name": "v", "size": 20, "dataCenter": "XX"]).status, 400)
        XCTAssertEqual(try rest.send("POST", "/v2/network-volumes", json: ["name": "v", "size": 9999, "dataCenter": "EU-RO-1"]).status, 422)
        XCTAssertEqual(try rest.get("/v2/network-volumes").status, 200)
        XCTAssertEqual(try rest.get("/v2/network-volumes/\(volumeID)").status, 200)
        XCTAssertEqual(try rest.get("/v2/network-volumes/nosuchvol").status, 404)
        XCTAssertEqual(try rest.send("PATCH", "/v2/network-volumes/\(volumeID)", json: ["size": 30]).status, 200)
        XCTAssertEqual(try rest.send("PATCH", "/v2/network-volumes/\(volumeID)", json: ["size": 10]).status, 400)
        XCTAssertEqual(try rest.send("PATCH", "/v2/network-volumes/\(volumeID)", json: ["type": "STANDARD"]).status, 422)
        let mounted = id(try createPod(name: "mounted", extra: ["mounts": ["network": [["volumeId": volumeID, "path": "/data"]]]]))
        XCTAssertEqual(try rest.send("DELETE", "/v2/network-volumes/\(volumeID)").status, 409)
        XCTAssertEqual(try rest.get("/v2/pods/\(mounted)").status, 200)

        // Faults: 429 and a 500 after the create happened.
        try client.control("POST", "/_sim/faults", ["status": 429, "count": 1, "operation": "listPods", "retryAfter": 4])
        XCTAssertEqual(try rest.get("/v2/pods").status, 429)
        try client.control("POST", "/_sim/faults", ["status": 429, "count": 1, "operation": "createPod"])
        XCTAssertEqual(try rest.send("POST", "/v2/pods", json: ["name": "x", "image": "i", "gpu": ["id": "NVIDIA A40"]]).status, 429)
        try client.control("POST", "/_sim/faults", ["status": 500, "count": 1, "operation": "createPod", "afterCommit": true])
        XCTAssertEqual(try rest.send("POST", "/v2/pods", json: ["name": "orphan", "image": "i", "gpu": ["id": "NVIDIA A40"]]).status, 500)

        // Terminate both ways; a terminated pod still answers GET.
        XCTAssertEqual(try action(mounted, "terminate").status, 204)
        XCTAssertEqual(try rest.get("/v2/pods/\(mounted)").status, 200)
        XCTAssertEqual(try rest.send("DELETE", "/v2/network-volumes/\(volumeID)").status, 204)
        XCTAssertEqual(try rest.send("DELETE", "/v2/network-volumes/\(volumeID)").status, 404)
        XCTAssertEqual(try rest.send("DELETE", "/v2/pods/\(id(provisioning))").status, 204)
        XCTAssertEqual(try rest.send("DELETE", "/v2/pods/\(id(provisioning))").status, 404)

        // Billing.
        XCTAssertEqual(try rest.get("/v2/billing/pods").status, 200)
        XCTAssertEqual(try rest.get("/v2/billing/pods?bucketSize=hour&lastN=3").status, 200)
        XCTAssertEqual(try rest.get("/v2/billing/pods?podId=\(running)&bucketSize=month").status, 200)
        XCTAssertEqual(try rest.get("/v2/billing/pods?lastN=2&startTime=2026-01-01T00:00:00Z").status, 400)
        XCTAssertEqual(try rest.get("/v2/billing/pods?bucketSize=minute").status, 422)
    }

    // MARK: Helpers

    private static func template(_ method: String, _ path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        for (templateMethod, template) in templates where templateMethod == method {
            let parts = template.split(separator: "/", omittingEmptySubsequences: true)
            guard parts.count == segments.count else { continue }
            if zip(parts, segments).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) { return template }
        }
        return nil
    }

    /// Runs the validator on recorded replies; returns its exit status and output.
    private func validate(_ replies: Data) throws -> (status: Int32, output: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("rpsim-replies-\(UUID().uuidString).json")
        try replies.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try ChildProcess.run(["/usr/bin/env", "python3", Self.validator, Self.document, file.path], mergingErrors: true)
        XCTAssertFalse(result.stdout.contains("'jsonschema' is missing"), "run scripts/bootstrap: \(result.stdout)")
        return (result.status, result.stdout)
    }
}
