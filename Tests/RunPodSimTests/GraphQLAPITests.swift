import Foundation
import RunPodSim
import TestSupport
import XCTest

/// RunPod's GraphQL dialect, written inline (as runpod-python does) and with variables (as
/// runpodctl does), against an in-process simulator over real HTTP.
final class GraphQLAPITests: SimulatorTestCase {
    func testGpuTypesInlineAndWithVariables() throws {
        let all = try client.graphQL("query GpuTypes { gpuTypes { id displayName memoryInGb } }")
        XCTAssertEqual(all.status, 200, all.text)
        let types = try XCTUnwrap(all.data("gpuTypes") as? [[String: Any]])
        let ids = types.compactMap { $0["id"] as? String }
        for id in [
            "NVIDIA A40", "NVIDIA RTX A6000", "NVIDIA RTX A5000", "NVIDIA GeForce RTX 4090",
            "NVIDIA GeForce RTX 3090", "NVIDIA L40S", "NVIDIA A100 80GB PCIe", "NVIDIA H100 80GB HBM3",
        ] {
            XCTAssertTrue(ids.contains(id), "catalogue lacks \(id)")
        }
        let h100 = try XCTUnwrap(types.first { $0["id"] as? String == "NVIDIA H100 80GB HBM3" })
        XCTAssertEqual(h100["displayName"] as? String, "H100 SXM")
        XCTAssertEqual(h100["memoryInGb"] as? Int, 80)

        let inline = try client.graphQL(
            """
            query { gpuTypes(input: {id: "NVIDIA A40"}) { maxGpuCount id displayName manufacturer memoryInGb \
            secureCloud communityCloud securePrice communityPrice \
            lowestPrice(input: {gpuCount: 2, secureCloud: true}) { minimumBidPrice uninterruptablePrice stockStatus \
            availableGpuCounts gpuName gpuTypeId } } }
            """)
        let a40 = try XCTUnwrap((inline.data("gpuTypes") as? [[String: Any]])?.first, inline.text)
        XCTAssertEqual(a40["displayName"] as? String, "A40")
        let lowest = try XCTUnwrap(a40["lowestPrice"] as? [String: Any])
        XCTAssertEqual(lowest["stockStatus"] as? String, "High")
        XCTAssertEqual(lowest["uninterruptablePrice"] as? Double, a40["securePrice"] as? Double)
        XCTAssertTrue((lowest["availableGpuCounts"] as? [Int] ?? []).contains(2))

        let withVariables = try client.graphQL(
            """
            query Availability($filter: GpuTypeFilter, $price: GpuLowestPriceInput!) {
              gpuTypes(input: $filter) { id communityPrice lowestPrice(input: $price) { uninterruptablePrice stockStatus } }
            }
            """,
            variables: ["filter": ["id": "NVIDIA GeForce RTX 4090"], "price": ["gpuCount": 1, "secureCloud": false, "dataCenterId": "CA-MTL-1"]],
            operationName: "Availability")
        let rtx = try XCTUnwrap((withVariables.data("gpuTypes") as? [[String: Any]])?.first, withVariables.text)
        XCTAssertEqual(rtx["id"] as? String, "NVIDIA GeForce RTX 4090")
        XCTAssertEqual((rtx["lowestPrice"] as? [String: Any])?["uninterruptablePrice"] as? Double, rtx["communityPrice"] as? Double)
    }

    func testMyselfAndUpdateUserSettingsInlineAndWithVariables() throws {
        let inline = try client.graphQL(#"mutation { updateUserSettings(input: {pubKey: "ssh-ed25519 AAAAone a\n\nssh-ed25519 AAAAtwo b"}) { id pubKey } }"#)
        XCTAssertEqual(
            (inline.data("updateUserSettings") as? [String: Any])?["pubKey"] as? String,
            "ssh-ed25519 AAAAone a\n\nssh-ed25519 AAAAtwo b", inline.text)
        try registerAccountKey("ssh-ed25519 AAAAthree c")
        let me = try client.graphQL("query { myself { id pubKey pods { id } } }")
        let myself = try XCTUnwrap(me.data("myself") as? [String: Any], me.text)
        XCTAssertEqual(myself["pubKey"] as? String, "ssh-ed25519 AAAAthree c")
        XCTAssertEqual((myself["pods"] as? [Any])?.count, 0)
        let named = try client.graphQL("query Me { myself { pubKey } }", operationName: "Me")
        XCTAssertEqual((named.data("myself") as? [String: Any])?["pubKey"] as? String, "ssh-ed25519 AAAAthree c")
    }

    func testQueriesAsTheOfficialClientsWriteThem() throws {
        // runpod-python get_user()
        let user = try client.graphQL("query myself { myself { id pubKey networkVolumes { id name size dataCenterId } } }")
        XCTAssertEqual(user.status, 200, user.text)
        XCTAssertEqual(((user.data("myself") as? [String: Any])?["networkVolumes"] as? [Any])?.count, 0)
        // runpodctl gpu list joins gpuTypes with dataCenters.
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA L40S", "stockStatus": "None", "cloudType": "COMMUNITY"])
        let centres = try client.graphQL("query { dataCenters { id name location gpuAvailability { gpuTypeId displayName stockStatus } } }")
        let list = try XCTUnwrap(centres.data("dataCenters") as? [[String: Any]], centres.text)
        let community = try XCTUnwrap(list.first { $0["id"] as? String == "CA-MTL-1" })
        let ids = (community["gpuAvailability"] as? [[String: Any]] ?? []).compactMap { $0["gpuTypeId"] as? String }
        XCTAssertFalse(ids.contains("NVIDIA L40S"))
        XCTAssertTrue(ids.contains("NVIDIA A40"))
    }

    func testCreateInlineWithEnumAndEnvObjects() throws {
        let reply = try client.graphQL(
            """
            mutation { podFindAndDeployOnDemand(input: { cloudType: COMMUNITY, gpuCount: 2, volumeInGb: 40,
              containerDiskInGb: 20, minVcpuCount: 2, minMemoryInGb: 15, gpuTypeId: "NVIDIA GeForce RTX 3090",
              name: "inline-pod", imageName: "runpod/pytorch:2.4.0", dockerArgs: "", ports: "8888/http, 22/tcp",
              volumeMountPath: "/workspace", dataCenterId: null, startSsh: true, supportPublicIp: true,
              env: [{key: "JUPYTER_PASSWORD", value: "secret"}, {key: "HF_HOME", value: "/workspace/hf"}] })
              { id name imageName env machineId costPerHr desiredStatus lastStatusChange gpuCount ports
                machine { podHostId gpuDisplayName } runtime { uptimeInSeconds } } }
            """)
        XCTAssertEqual(reply.status, 200, reply.text)
        let pod = try XCTUnwrap(reply.data("podFindAndDeployOnDemand") as? [String: Any], reply.text)
        let id = try XCTUnwrap(pod["id"] as? String)
        XCTAssertNotNil(id.range(of: "^[a-z0-9]{14}$", options: .regularExpression), id)
        XCTAssertEqual(pod["env"] as? [String], ["JUPYTER_PASSWORD=secret", "HF_HOME=/workspace/hf"])
        XCTAssertEqual(pod["costPerHr"] as? Double ?? 0, 0.44, accuracy: 0.0001, "community 3090 x2")
        XCTAssertEqual(pod["desiredStatus"] as? String, "RUNNING")
        XCTAssertEqual(pod["ports"] as? String, "8888/http,22/tcp")
        XCTAssertTrue(pod["runtime"] is NSNull, "runtime is null right after create")
        let status = try XCTUnwrap(pod["lastStatusChange"] as? String)
        XCTAssertNotNil(
            status.range(
                of: #"^Rented by User: \w{3} \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT\+0000 \(Coordinated Universal Time\)$"#,
                options: .regularExpression), status)
        let machine = try XCTUnwrap(pod["machine"] as? [String: Any])
        XCTAssertNotNil((machine["podHostId"] as? String)?.range(of: "^\(id)-[0-9a-f]{8}$", options: .regularExpression))
        XCTAssertEqual(machine["gpuDisplayName"] as? String, "RTX 3090")
    }

    func testCreateWithVariablesAndStartSshInjectsAccountKey() throws {
        try registerAccountKey("ssh-ed25519 AAAAaccount key")
        let reply = try client.graphQL(
            """
            mutation createPod($input: PodFindAndDeployOnDemandInput!) {
              podFindAndDeployOnDemand(input: $input) { id env costPerHr machine { podHostId } }
            }
            """,
            variables: [
                "input": [
                    "cloudType": "SECURE", "gpuTypeId": "NVIDIA A40", "gpuCount": 3, "name": "vars-pod",
                    "imageName": "runpod/pytorch:2.4.0", "ports": "22/tcp", "startSsh": true,
                    "env": [["key": "FOO", "value": "bar"]], "containerDiskInGb": 20,
                ]
            ],
            operationName: "createPod")
        let pod = try XCTUnwrap(reply.data("podFindAndDeployOnDemand") as? [String: Any], reply.text)
        XCTAssertEqual(pod["env"] as? [String], ["FOO=bar", "PUBLIC_KEY=ssh-ed25519 AAAAaccount key"])
        XCTAssertEqual(pod["costPerHr"] as? Double ?? 0, 1.20, accuracy: 0.0001, "secure A40 x3")

        // A request that sets PUBLIC_KEY itself keeps its own.
        let own = try client.graphQL(
            "mutation($input: PodFindAndDeployOnDemandInput) { podFindAndDeployOnDemand(input: $input) { env } }",
            variables: ["input": ["gpuTypeId": "NVIDIA A40", "startSsh": true, "env": [["key": "PUBLIC_KEY", "value": "mine"]]]])
        XCTAssertEqual((own.data("podFindAndDeployOnDemand") as? [String: Any])?["env"] as? [String], ["PUBLIC_KEY=mine"], own.text)
    }

    func testPodQueryAndStopResumeTerminateInlineAndWithVariables() throws {
        let first = try client.createPod(name: "one")
        let second = try client.createPod(name: "two")

        let inline = try client.graphQL(
            """
            query { pod(input: {podId: "\(first)"}) { id name desiredStatus lastStatusChange costPerHr adjustedCostPerHr
              imageName dockerArgs env gpuCount vcpuCount memoryInGb containerDiskInGb volumeInGb volumeMountPath
              machineId podType port ports uptimeSeconds
              machine { podHostId gpuDisplayName location dataCenterId }
              runtime { uptimeInSeconds ports { ip isIpPublic privatePort publicPort type }
                gpus { id gpuUtilPercent memoryUtilPercent } container { cpuPercent memoryPercent } } } }
            """)
        XCTAssertEqual((inline.data("pod") as? [String: Any])?["name"] as? String, "one", inline.text)
        let viaVariables = try client.graphQL(
            "query pod($podId: String!) { pod(input: {podId: $podId}) { id name } }", variables: ["podId": second])
        XCTAssertEqual((viaVariables.data("pod") as? [String: Any])?["name"] as? String, "two", viaVariables.text)
        let filter = try client.graphQL(
            "query($input: PodFilter) { pod(input: $input) { id } }", variables: ["input": ["podId": second]])
        XCTAssertEqual((filter.data("pod") as? [String: Any])?["id"] as? String, second, filter.text)

        let stopInline = try client.graphQL("mutation { podStop(input: {podId: \"\(first)\"}) { id desiredStatus lastStatusChange } }")
        let stopped = try XCTUnwrap(stopInline.data("podStop") as? [String: Any], stopInline.text)
        XCTAssertEqual(stopped["desiredStatus"] as? String, "EXITED")
        XCTAssertTrue((stopped["lastStatusChange"] as? String ?? "").hasPrefix("Exited by User: "))
        let stopVariables = try client.graphQL(
            "mutation stop($input: PodStopInput!) { podStop(input: $input) { id desiredStatus } }",
            variables: ["input": ["podId": second]])
        XCTAssertEqual((stopVariables.data("podStop") as? [String: Any])?["desiredStatus"] as? String, "EXITED", stopVariables.text)

        let resumeInline = try client.graphQL(
            "mutation { podResume(input: {podId: \"\(first)\", gpuCount: 2}) { id desiredStatus costPerHr gpuCount machine { podHostId } } }")
        let resumed = try XCTUnwrap(resumeInline.data("podResume") as? [String: Any], resumeInline.text)
        XCTAssertEqual(resumed["desiredStatus"] as? String, "RUNNING")
        XCTAssertEqual(resumed["gpuCount"] as? Int, 2)
        XCTAssertEqual(resumed["costPerHr"] as? Double ?? 0, 0.80, accuracy: 0.0001)
        let resumeVariables = try client.graphQL(
            "mutation resume($input: PodResumeInput!) { podResume(input: $input) { id desiredStatus } }",
            variables: ["input": ["podId": second, "gpuCount": 1]])
        XCTAssertEqual((resumeVariables.data("podResume") as? [String: Any])?["desiredStatus"] as? String, "RUNNING", resumeVariables.text)

        let terminateInline = try client.graphQL("mutation { podTerminate(input: {podId: \"\(first)\"}) }")
        XCTAssertEqual(terminateInline.status, 200, terminateInline.text)
        XCTAssertTrue(terminateInline.errors.isEmpty, terminateInline.text)
        XCTAssertTrue(terminateInline.data("podTerminate") is NSNull)
        let terminateVariables = try client.graphQL(
            "mutation terminate($input: PodTerminateInput!) { podTerminate(input: $input) }", variables: ["input": ["podId": second]])
        XCTAssertTrue(terminateVariables.errors.isEmpty, terminateVariables.text)

        let pods = try client.graphQL("query { myself { pods { id } } }")
        XCTAssertEqual(((pods.data("myself") as? [String: Any])?["pods"] as? [Any])?.count, 0, pods.text)
        let status = try XCTUnwrap(try client.simPod(first)["lastStatusChange"] as? String)
        XCTAssertNotNil(
            status.range(
                of: #"^Terminated by user: \w{3} \w{3} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT\+0000 \(Coordinated Universal Time\)$"#,
                options: .regularExpression), status)
        let truth = try client.simPods()
        XCTAssertEqual(truth.count, 2)
        XCTAssertTrue(truth.allSatisfy { $0["terminated"] as? Bool == true })
    }

    func testValidationErrors() throws {
        let unknownField = try client.graphQL("query { myself { pods { id noSuchField } } }")
        XCTAssertEqual(unknownField.status, 400, unknownField.text)
        XCTAssertTrue(unknownField.firstErrorMessage?.contains("noSuchField") ?? false, unknownField.text)

        let stockOnGpuTypes = try client.graphQL("query { gpuTypes { id stockStatus } }")
        XCTAssertEqual(stockOnGpuTypes.status, 400, "stockStatus lives inside lowestPrice, not on GpuType")

        let badEnum = try client.graphQL(
            "mutation { podFindAndDeployOnDemand(input: {cloudType: CHEAP, gpuTypeId: \"NVIDIA A40\"}) { id } }")
        XCTAssertEqual(badEnum.status, 400, badEnum.text)
        XCTAssertFalse(badEnum.errors.isEmpty)

        let badEnumVariable = try client.graphQL(
            "mutation($input: PodFindAndDeployOnDemandInput) { podFindAndDeployOnDemand(input: $input) { id } }",
            variables: ["input": ["cloudType": "CHEAP", "gpuTypeId": "NVIDIA A40"]])
        XCTAssertEqual(badEnumVariable.status, 400, badEnumVariable.text)

        let unknownInputField = try client.graphQL(
            "mutation { podResume(input: {podId: \"x\", allowedCudaVersions: [\"12.4\"]}) { id } }")
        XCTAssertEqual(unknownInputField.status, 400, unknownInputField.text)
        XCTAssertTrue(unknownInputField.firstErrorMessage?.contains("allowedCudaVersions") ?? false, unknownInputField.text)

        let selectionOnScalar = try client.graphQL("mutation { podTerminate(input: {podId: \"x\"}) { id } }")
        XCTAssertEqual(selectionOnScalar.status, 400, selectionOnScalar.text)

        let introspection = try client.graphQL("query { __schema { types { name } } }")
        XCTAssertEqual(introspection.status, 400, "RunPod has introspection off")
        let typename = try client.graphQL("query { myself { __typename id } }")
        XCTAssertEqual(typename.status, 200, typename.text)

        let syntax = try client.graphQL("query { myself { ")
        XCTAssertEqual(syntax.status, 400, syntax.text)
        XCTAssertEqual(try client.simPods().count, 0, "nothing was created by invalid requests")
    }

    func testAuthentication() throws {
        let query = "query { myself { id } }"
        XCTAssertEqual(try client.graphQL(query, apiKey: "").status, 401)
        let wrong = try client.graphQL(query, apiKey: "wrong-key")
        XCTAssertEqual(wrong.status, 401)
        XCTAssertEqual(try client.graphQL(query, apiKey: "wrong-key", keyInQuery: true).status, 401)
        XCTAssertEqual(try client.graphQL(query).status, 200)
        let viaQuery = try client.graphQL(query, keyInQuery: true)
        XCTAssertEqual(viaQuery.status, 200, viaQuery.text)
        XCTAssertEqual((viaQuery.data("myself") as? [String: Any])?["id"] as? String, "user_simulated")
    }

    func testFaultStatusCountDelayAndTargeting() throws {
        let query = "query { myself { id } }"
        try client.control("POST", "/_sim/faults", ["status": 500, "count": 2])
        let first = try client.graphQL(query)
        XCTAssertEqual(first.status, 500)
        XCTAssertEqual(first.firstErrorMessage, "Something went wrong. Please try again later or contact support.")
        XCTAssertEqual(try client.graphQL(query).status, 500)
        XCTAssertEqual(try client.graphQL(query).status, 200, "the fault was used up")

        try client.control("POST", "/_sim/faults", ["delayMs": 1500, "count": 1])
        let started = Date()
        XCTAssertEqual(try client.graphQL(query).status, 200)
        XCTAssertGreaterThanOrEqual(Date().timeIntervalSince(started), 1.4)

        try client.control("POST", "/_sim/faults", ["status": 503, "count": 1, "operation": "podFindAndDeployOnDemand"])
        XCTAssertEqual(try client.graphQL(query).status, 200, "other operations are not hit")
        let create = try client.graphQL("mutation { podFindAndDeployOnDemand(input: {gpuTypeId: \"NVIDIA A40\"}) { id } }")
        XCTAssertEqual(create.status, 503)
        XCTAssertEqual(try client.simPods().count, 0, "a plain fault happens before the operation")
    }

    func testFaultAfterCommitStillCreatesThePod() throws {
        try client.control("POST", "/_sim/faults", ["status": 500, "count": 1, "afterCommit": true])
        let reply = try client.graphQL(
            "mutation { podFindAndDeployOnDemand(input: {gpuTypeId: \"NVIDIA A40\", name: \"orphan-check\"}) { id } }")
        XCTAssertEqual(reply.status, 500)
        let truth = try client.simPods()
        XCTAssertEqual(truth.map { $0["name"] as? String }, ["orphan-check"], "the pod exists although the reply was 500")
        let listed = try client.graphQL("query { myself { pods { id name } } }")
        XCTAssertEqual(((listed.data("myself") as? [String: Any])?["pods"] as? [[String: Any]])?.first?["name"] as? String, "orphan-check")
    }

    func testCapacityErrors() throws {
        let noInstances = "There are no longer any instances available with the requested specifications. Please refresh and try again."
        XCTAssertEqual(try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA A40", "stockStatus": "None"]).status, 200)
        let create = try client.graphQL(
            "mutation { podFindAndDeployOnDemand(input: {cloudType: ALL, gpuTypeId: \"NVIDIA A40\", gpuCount: 1}) { id } }")
        XCTAssertEqual(create.status, 200)
        XCTAssertEqual(create.firstErrorMessage, noInstances)
        XCTAssertEqual(create.errors.first?["path"] as? [String], ["podFindAndDeployOnDemand"])
        XCTAssertTrue(create.data("podFindAndDeployOnDemand") is NSNull, create.text)
        let lowest = try client.graphQL(
            "query { gpuTypes(input: {id: \"NVIDIA A40\"}) { lowestPrice(input: {gpuCount: 1}) { stockStatus availableGpuCounts } } }")
        let price = (lowest.data("gpuTypes") as? [[String: Any]])?.first?["lowestPrice"] as? [String: Any]
        XCTAssertTrue(price?["stockStatus"] is NSNull, lowest.text)
        XCTAssertEqual(price?["availableGpuCounts"] as? [Int], [])

        // Secure out of stock only: SECURE fails, COMMUNITY and ALL place on community.
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA L40S", "stockStatus": "None", "cloudType": "SECURE"])
        let secure = try client.graphQL(
            "mutation { podFindAndDeployOnDemand(input: {cloudType: SECURE, gpuTypeId: \"NVIDIA L40S\"}) { id } }")
        XCTAssertEqual(secure.firstErrorMessage, noInstances)
        let any = try client.graphQL(
            "mutation { podFindAndDeployOnDemand(input: {cloudType: ALL, gpuTypeId: \"NVIDIA L40S\"}) { id costPerHr } }")
        XCTAssertEqual((any.data("podFindAndDeployOnDemand") as? [String: Any])?["costPerHr"] as? Double ?? 0, 0.79, accuracy: 0.0001, any.text)

        // Low stock places one GPU, not two.
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA RTX A5000", "stockStatus": "Low"])
        let two = try client.graphQL(
            "mutation { podFindAndDeployOnDemand(input: {gpuTypeId: \"NVIDIA RTX A5000\", gpuCount: 2}) { id } }")
        XCTAssertEqual(two.firstErrorMessage, noInstances)
        XCTAssertNotNil(try client.createPod(gpuTypeId: "NVIDIA RTX A5000", gpuCount: 1))

        // Resume when the type has no stock left.
        let id = try client.createPod(gpuTypeId: "NVIDIA RTX A6000")
        _ = try client.graphQL("mutation { podStop(input: {podId: \"\(id)\"}) { id } }")
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA RTX A6000", "stockStatus": "None"])
        let resume = try client.graphQL("mutation { podResume(input: {podId: \"\(id)\", gpuCount: 1}) { id desiredStatus } }")
        XCTAssertEqual(resume.status, 200)
        XCTAssertEqual(resume.firstErrorMessage, "There are not enough free GPUs on the host machine to start this pod.")
        XCTAssertEqual(resume.errors.first?["path"] as? [String], ["podResume"])
        try client.control("POST", "/_sim/stock", ["gpuTypeId": "NVIDIA RTX A6000", "stockStatus": "High"])
        let again = try client.graphQL("mutation { podResume(input: {podId: \"\(id)\", gpuCount: 1}) { desiredStatus } }")
        XCTAssertEqual((again.data("podResume") as? [String: Any])?["desiredStatus"] as? String, "RUNNING", again.text)
    }

    func testUnknownPodErrors() throws {
        let pod = try client.graphQL("query { pod(input: {podId: \"nosuchpod00000\"}) { id } }")
        XCTAssertEqual(pod.status, 200)
        XCTAssertTrue(pod.data("pod") is NSNull)
        XCTAssertTrue(pod.firstErrorMessage?.contains("nosuchpod00000") ?? false, pod.text)
        let terminate = try client.graphQL("mutation { podTerminate(input: {podId: \"nosuchpod00000\"}) }")
        XCTAssertEqual(terminate.errors.first?["path"] as? [String], ["podTerminate"], terminate.text)
        let stop = try client.graphQL("mutation { podStop(input: {podId: \"nosuchpod00000\"}) { id } }")
        XCTAssertFalse(stop.errors.isEmpty)
    }

    func testPodScopedKeyActsOnItsPodOnly() throws {
        let mine = try client.createPod(name: "mine")
        let other = try client.createPod(name: "other")
        let podKey = try XCTUnwrap(try client.simPod(mine)["apiKey"] as? String)
        let listed = try client.graphQL("query { myself { pods { id } } }", apiKey: podKey)
        XCTAssertEqual(((listed.data("myself") as? [String: Any])?["pods"] as? [[String: Any]])?.compactMap { $0["id"] as? String }, [mine])
        XCTAssertFalse(try client.graphQL("query { pod(input: {podId: \"\(other)\"}) { id } }", apiKey: podKey).errors.isEmpty)
        XCTAssertFalse(try client.graphQL("mutation { podTerminate(input: {podId: \"\(other)\"}) }", apiKey: podKey).errors.isEmpty)
        XCTAssertFalse(
            try client.graphQL("mutation { podFindAndDeployOnDemand(input: {gpuTypeId: \"NVIDIA A40\"}) { id } }", apiKey: podKey)
                .errors.isEmpty)
        let stop = try client.graphQL("mutation { podStop(input: {podId: \"\(mine)\"}) { desiredStatus } }", apiKey: podKey)
        XCTAssertEqual((stop.data("podStop") as? [String: Any])?["desiredStatus"] as? String, "EXITED", stop.text)
    }
}
