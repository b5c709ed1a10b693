import AutopodSupport
import Foundation
import RunPodSim
import TestSupport
import XCTest

/// Starts an in-process simulator for one test and stops it afterwards; every call goes over
/// real HTTP through libcurl.
class SimulatorTestCase: XCTestCase {
    var sim: RunPodSimulator!
    var client: SimulatorClient!
    var bootDelay: Double { 0.3 }

    override func setUpWithError() throws {
        sim = try RunPodSimulator.start(SimulatorOptions(apiKey: "test-account-key", bootDelay: bootDelay))
        client = SimulatorClient(baseURL: sim.baseURL, apiKey: sim.apiKey)
    }

    override func tearDown() {
        sim?.stop()
        sim = nil
        client = nil
    }

    /// The pod object of `pod(input:)`, or nil.
    func podObject(_ id: String, fields: String = "id desiredStatus runtime { uptimeInSeconds }") throws -> [String: Any]? {
        try client.graphQL("query { pod(input: {podId: \"\(id)\"}) { \(fields) } }").data("pod") as? [String: Any]
    }

    /// A fresh ed25519 key pair in a temp dir; returns the private key path (`.pub` beside it).
    func makeUserKey(_ name: String = "id_ed25519") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rpsim-test-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        let made = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test@rpsim", "-f", path])
        XCTAssertEqual(made.status, 0, "ssh-keygen failed: \(made)")
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return path
    }

    func publicKey(_ privateKeyPath: String) throws -> String {
        try String(contentsOfFile: privateKeyPath + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Registers `key` as the account's only public key.
    func registerAccountKey(_ key: String) throws {
        let reply = try client.graphQL(
            "mutation($input: UpdateUserSettingsInput) { updateUserSettings(input: $input) { id } }",
            variables: ["input": ["pubKey": key]])
        XCTAssertEqual(reply.status, 200, reply.text)
    }
}
