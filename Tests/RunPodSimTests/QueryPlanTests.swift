import Foundation
import TestSupport
import XCTest

@testable import RunPodSim

/// Query plans answer the polled read queries without GraphQLSwift's executor; the engine stays
/// the reference. Every query here runs through both over the same simulated account (running,
/// booting and stopped pods, env values that need escaping) and the replies must be the same
/// bytes.
final class QueryPlanTests: SimulatorTestCase {
    private var engine: RunPodGraphQL!
    private var planned: RunPodGraphQL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        engine = try RunPodGraphQL(cloud: sim.cloud, usesPlans: false)
        planned = try RunPodGraphQL(cloud: sim.cloud)
    }

    func testPlansAnswerExactlyAsTheEngine() async throws {
        let running = try client.createPod(name: "plan-running")
        _ = try client.waitForSSHPort(running)
        let stopped = try client.createPod(gpuTypeId: "NVIDIA RTX A6000", gpuCount: 2, name: "plan-stopped")
        let reply = try client.graphQL("mutation { podStop(input: {podId: \"\(stopped)\"}) { id } }")
        XCTAssertEqual(reply.status, 200, reply.text)
        let env = try client.graphQL(
            #"""
            mutation { podFindAndDeployOnDemand(input: {cloudType: COMMUNITY, gpuTypeId: "NVIDIA GeForce RTX 4090",
              gpuCount: 1, name: "plan-booting", imageName: "runpod/pytorch:2.4.0", ports: "8888/http,22/tcp",
              env: [{key: "QUOTE", value: "a \"b\" \\ c/d\n\té"}]}) { id } }
            """#)
        XCTAssertEqual(env.status, 200, env.text)

        let queries = [
            // What autopod and the benchmark poll.
            """
            query { myself { id pubKey pods { id name desiredStatus lastStatusChange costPerHr adjustedCostPerHr imageName
              dockerArgs env gpuCount vcpuCount memoryInGb containerDiskInGb volumeInGb volumeMountPath machineId podType
              port ports uptimeSeconds machine { podHostId gpuDisplayName location dataCenterId }
              runtime { uptimeInSeconds ports { ip isIpPublic privatePort publicPort type }
                gpus { id gpuUtilPercent memoryUtilPercent } container { cpuPercent memoryPercent } } } } }
            """,
            // runpod-python's shape: a named operation, literal input objects, nested arguments.
            """
            query GpuTypes { gpuTypes(input: {id: "NVIDIA A40"}) { id displayName memoryInGb securePrice communityPrice
              lowestPrice(input: {gpuCount: 2, secureCloud: true}) { uninterruptablePrice stockStatus availableGpuCounts } } }
            """,
            "{ gpuTypes { id maxGpuCount lowestPrice(input: {gpuCount: 1}) { stockStatus } } dataCenters { id name } }",
            // Aliases, __typename, a fragment and an inline fragment.
            """
            query Pod { first: pod(input: {podId: "\(running)"}) { __typename ...Basics ... on Pod { machine { podHostId } } }
              second: pod(input: {podId: "\(stopped)"}) { ...Basics runtime { uptimeInSeconds } } }
            fragment Basics on Pod { id name desiredStatus gpuCount costPerHr }
            """,
        ]
        for query in queries {
            let body = try JSONSerialization.data(withJSONObject: ["query": query])
            let before = await engine.execute(body: body, scope: .account)
            let fast = await planned.execute(body: body, scope: .account)
            let after = await engine.execute(body: body, scope: .account)
            XCTAssertNotNil(planned.plan(for: query), "no plan for \(query)")
            XCTAssertEqual(fast.status, 200)
            XCTAssertEqual(before.status, 200, String(decoding: before.body, as: UTF8.self))
            // Uptimes tick between the runs; the plan must match the engine on one side of it.
            XCTAssertTrue(
                fast.body == before.body || fast.body == after.body,
                "plan:\n\(String(decoding: fast.body, as: UTF8.self))\nengine:\n\(String(decoding: before.body, as: UTF8.self))")
        }
        let pods = await planned.execute(body: try JSONSerialization.data(withJSONObject: ["query": queries[0]]), scope: .account)
        XCTAssertTrue(
            String(decoding: pods.body, as: UTF8.self).contains(#""env":["QUOTE=a \"b\" \\ c\/d\n\té""#),
            "the escaped env value is part of the comparison")
    }

    func testRequestsAPlanDoesNotCoverGoToTheEngine() async throws {
        let missing = #"query { pod(input: {podId: "nosuchpod"}) { id } }"#
        let withVariables = "query($id: String!) { pod(input: {podId: $id}) { id } }"
        let skipped = "query { myself { id @skip(if: true) pubKey } }"
        let mutation = "mutation { updateUserSettings(input: {pubKey: \"ssh-ed25519 AAAA x\"}) { id } }"
        for (query, variables) in [(missing, [:]), (withVariables, ["id": "nosuchpod"]), (skipped, [:]), (mutation, [:])] {
            let body = try JSONSerialization.data(withJSONObject: ["query": query, "variables": variables])
            let fromEngine = await engine.execute(body: body, scope: .account)
            let fromPlanned = await planned.execute(body: body, scope: .account)
            XCTAssertEqual(fromPlanned.status, fromEngine.status, query)
            XCTAssertEqual(fromPlanned.body, fromEngine.body, query)
        }
        // The error reply is the engine's: RunPod's message, the field's path, data null.
        let body = try JSONSerialization.data(withJSONObject: ["query": missing])
        let errorReply = await planned.execute(body: body, scope: .account)
        let reply = try XCTUnwrap(JSONSerialization.jsonObject(with: errorReply.body) as? [String: Any])
        let error = try XCTUnwrap((reply["errors"] as? [[String: Any]])?.first)
        XCTAssertEqual(error["path"] as? [String], ["pod"])
        XCTAssertTrue((error["message"] as? String ?? "").contains("nosuchpod"))
        XCTAssertNotNil(planned.plan(for: missing), "the plan exists; the resolver's error sent it to the engine")
        XCTAssertNil(planned.plan(for: withVariables))
        XCTAssertNil(planned.plan(for: skipped))
        XCTAssertNil(planned.plan(for: mutation))
    }
}
