import AutopodSupport
import AutopodCore
import Foundation
import RunPodSim
import TestSupport
import XCTest

/// The fallback used without root (forced here with `useNamespaces: false`): pods listen on
/// loopback ports, and SSH, the responders, cuts and latency still work through the proxy.
final class LoopbackModeTests: XCTestCase {
    func testPodsWorkOnLoopbackWithoutNamespaces() throws {
        let sim = try RunPodSimulator.start(SimulatorOptions(apiKey: "loopback-key", bootDelay: 0.2, useNamespaces: false))
        defer { sim.stop() }
        XCTAssertFalse(sim.usesNamespaces)
        let client = SimulatorClient(baseURL: sim.baseURL, apiKey: sim.apiKey)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rpsim-loopback-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("id").path
        let keygen = try ChildProcess.run(["/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key])
        XCTAssertEqual(keygen.status, 0, "\(keygen)")
        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try client.graphQL(
            "mutation($input: UpdateUserSettingsInput) { updateUserSettings(input: $input) { id } }",
            variables: ["input": ["pubKey": publicKey]])

        let id = try client.createPod()
        let port = try client.waitForSSHPort(id)
        let details = try client.simPod(id)
        XCTAssertEqual(details["podAddress"] as? String, "127.0.0.1")
        XCTAssertTrue(details["namespace"] is NSNull)
        let ssh = try XCTUnwrap(SSHProbe(port: port))
        XCTAssertTrue(ssh.authenticate(user: NSUserName(), privateKey: key))

        let http = try XCTUnwrap((details["httpPorts"] as? [String: String])?["8888"])
        XCTAssertTrue(http.hasPrefix("127.0.0.1:"))
        let reply = try HTTPClient(transport: CurlHTTPClient()).send(HTTPRequest(url: "http://\(http)/"), policy: .never)
        XCTAssertEqual(String(decoding: reply.body, as: UTF8.self), "runpod-sim pod \(id) port 8888\n")

        try client.control("POST", "/_sim/pods/\(id)/network", ["up": false])
        XCTAssertNil(SSHProbe(port: port, timeout: 3))
        try client.control("POST", "/_sim/pods/\(id)/network", ["up": true])
        XCTAssertNotNil(SSHProbe(port: port))
    }
}
