import AutopodCore
import Foundation
import RunPodSim
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Pods backed by real processes: the state machine seen through the API and through a real
/// SSH handshake (libssh2), the HTTP responder, network cuts and injected latency.
final class PodProcessTests: SimulatorTestCase {
    override var bootDelay: Double { 1.5 }

    func testLifecycleCreateBootStopResumeTerminate() throws {
        let accountKey = try makeUserKey("account")
        let strangerKey = try makeUserKey("stranger")
        try registerAccountKey(try publicKey(accountKey))
        let id = try client.createPod(name: "lifecycle")

        // Right after create: RUNNING, runtime null until the boot delay has passed.
        let fresh = try XCTUnwrap(try podObject(id))
        XCTAssertEqual(fresh["desiredStatus"] as? String, "RUNNING")
        XCTAssertTrue(fresh["runtime"] is NSNull, "runtime must be null during boot")

        let port = try client.waitForSSHPort(id)
        XCTAssertNotEqual(port, 22)
        let booted = try XCTUnwrap(try podObject(id, fields: "runtime { uptimeInSeconds gpus { id } container { cpuPercent } }"))
        let runtime = try XCTUnwrap(booted["runtime"] as? [String: Any])
        XCTAssertGreaterThanOrEqual(runtime["uptimeInSeconds"] as? Int ?? -1, 0)
        XCTAssertEqual((runtime["gpus"] as? [Any])?.count, 1)

        // The account key gets in, another key does not, and the host key is the pod's.
        let details = try client.simPod(id)
        let hostKey = try XCTUnwrap(details["hostPublicKey"] as? String)
        let firstHostKeyBlob = hostKey.split(separator: " ")[1]
        do {
            let ssh = try XCTUnwrap(SSHProbe(port: port), "no SSH handshake on the public endpoint")
            XCTAssertEqual(ssh.hostKeyBase64, String(firstHostKeyBlob))
            XCTAssertFalse(ssh.authenticate(privateKey: strangerKey), "a key the account does not have was accepted")
        }
        do {
            let ssh = try XCTUnwrap(SSHProbe(port: port))
            XCTAssertTrue(ssh.authenticate(privateKey: accountKey), "the account key was refused")
        }

        // Stop: EXITED, runtime null, sshd gone.
        let sshdPid = try XCTUnwrap(details["sshdPid"] as? Int)
        let stop = try client.graphQL("mutation { podStop(input: {podId: \"\(id)\"}) { desiredStatus runtime { uptimeInSeconds } } }")
        let stopped = try XCTUnwrap(stop.data("podStop") as? [String: Any], stop.text)
        XCTAssertEqual(stopped["desiredStatus"] as? String, "EXITED")
        XCTAssertTrue(stopped["runtime"] is NSNull)
        XCTAssertTrue(SimulatorClient.waitUntil(timeout: 10) { kill(pid_t(sshdPid), 0) != 0 }, "sshd survived podStop")
        XCTAssertNil(SSHProbe(port: port, timeout: 3), "the old endpoint still answers SSH")
        let listed = try client.graphQL("query { myself { pods { id desiredStatus runtime { uptimeInSeconds } } } }")
        let entry = ((listed.data("myself") as? [String: Any])?["pods"] as? [[String: Any]])?.first
        XCTAssertEqual(entry?["desiredStatus"] as? String, "EXITED")
        XCTAssertTrue(entry?["runtime"] is NSNull)

        // Resume: runtime null again, then a new public port and a fresh host key.
        let resume = try client.graphQL("mutation { podResume(input: {podId: \"\(id)\", gpuCount: 1}) { desiredStatus runtime { uptimeInSeconds } } }")
        XCTAssertEqual((resume.data("podResume") as? [String: Any])?["desiredStatus"] as? String, "RUNNING", resume.text)
        XCTAssertTrue((resume.data("podResume") as? [String: Any])?["runtime"] is NSNull)
        let newPort = try client.waitForSSHPort(id)
        XCTAssertNotEqual(newPort, port, "resume must give a new public port")
        let newHostKey = try XCTUnwrap(try client.simPod(id)["hostPublicKey"] as? String)
        XCTAssertNotEqual(newHostKey, hostKey, "resume must give a fresh host key")
        let again = try XCTUnwrap(SSHProbe(port: newPort))
        XCTAssertEqual(again.hostKeyBase64, String(newHostKey.split(separator: " ")[1]))
        XCTAssertTrue(again.authenticate(privateKey: accountKey))

        // Terminate: gone from myself.pods and pod(), processes gone, still in /_sim/pods.
        let newSshdPid = try XCTUnwrap(try client.simPod(id)["sshdPid"] as? Int)
        let terminate = try client.graphQL("mutation { podTerminate(input: {podId: \"\(id)\"}) }")
        XCTAssertTrue(terminate.errors.isEmpty, terminate.text)
        XCTAssertTrue(SimulatorClient.waitUntil(timeout: 10) { kill(pid_t(newSshdPid), 0) != 0 })
        let after = try client.graphQL("query { myself { pods { id } } }")
        XCTAssertEqual(((after.data("myself") as? [String: Any])?["pods"] as? [Any])?.count, 0)
        XCTAssertFalse(try client.graphQL("query { pod(input: {podId: \"\(id)\"}) { id } }").errors.isEmpty)
        let truth = try client.simPods()
        XCTAssertEqual(truth.first?["terminated"] as? Bool, true)
        XCTAssertEqual(truth.first?["desiredStatus"] as? String, "EXITED")
    }

    func testSessionEnvironmentAndHTTPResponderThroughThePod() throws {
        let key = try makeUserKey()
        try registerAccountKey(try publicKey(key))
        let reply = try client.graphQL(
            """
            mutation($input: PodFindAndDeployOnDemandInput) { podFindAndDeployOnDemand(input: $input) { id } }
            """,
            variables: [
                "input": [
                    "gpuTypeId": "NVIDIA RTX A6000", "cloudType": "SECURE", "ports": "8888/http,6006/http,22/tcp",
                    "startSsh": true, "env": [["key": "MY_SETTING", "value": "hello world"]],
                ]
            ])
        let id = try XCTUnwrap((reply.data("podFindAndDeployOnDemand") as? [String: Any])?["id"] as? String, reply.text)
        let port = try client.waitForSSHPort(id)
        let ssh = try XCTUnwrap(SSHProbe(port: port))
        XCTAssertTrue(ssh.authenticate(privateKey: key))

        let env = try XCTUnwrap(ssh.exec("printf '%s|%s|%s|%s' \"$RUNPOD_POD_ID\" \"$MY_SETTING\" \"$PUBLIC_KEY\" \"$RUNPOD_API_KEY\""))
        let parts = env.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(parts.count, 4, env)
        XCTAssertEqual(parts.first, id)
        XCTAssertEqual(parts.dropFirst().first, "hello world")
        XCTAssertEqual(parts.dropFirst(2).first, try publicKey(key))
        let podKey = try XCTUnwrap(parts.last)
        XCTAssertEqual(podKey, try client.simPod(id)["apiKey"] as? String)
        let scoped = try client.graphQL("query { myself { pods { id } } }", apiKey: podKey)
        XCTAssertEqual(((scoped.data("myself") as? [String: Any])?["pods"] as? [[String: Any]])?.first?["id"] as? String, id)

        // localhost:8888 inside the pod is this pod's responder (through an SSH forward) ...
        let forwarded = try XCTUnwrap(ssh.httpThroughForward(host: "localhost", port: 8888))
        XCTAssertTrue(forwarded.contains("runpod-sim pod \(id) port 8888"), forwarded)
        let tensorboard = try XCTUnwrap(ssh.httpThroughForward(host: "localhost", port: 6006))
        XCTAssertTrue(tensorboard.contains("port 6006"), tensorboard)

        // ... and the same responder answers on the pod's own address.
        let details = try client.simPod(id)
        let http = try XCTUnwrap((details["httpPorts"] as? [String: String])?["8888"])
        let direct = try HTTPClient(transport: CurlHTTPClient()).send(HTTPRequest(url: "http://\(http)/"), policy: .never)
        XCTAssertEqual(String(decoding: direct.body, as: UTF8.self), "runpod-sim pod \(id) port 8888\n")
        if sim.usesNamespaces {
            XCTAssertNotNil((details["podAddress"] as? String)?.range(of: #"^169\.254\.\d+\.\d+$"#, options: .regularExpression))
            XCTAssertTrue((details["namespace"] as? String ?? "").hasPrefix("rpsim-\(getpid())-"))
        }
        // The runtime lists the HTTP port as a private entry.
        let runtime = try XCTUnwrap(try podObject(id, fields: "runtime { ports { ip isIpPublic privatePort publicPort type } }")?["runtime"] as? [String: Any])
        let ports = try XCTUnwrap(runtime["ports"] as? [[String: Any]])
        XCTAssertTrue(ports.contains { ($0["privatePort"] as? Int) == 8888 && ($0["type"] as? String) == "http" && ($0["isIpPublic"] as? Bool) == false })
        XCTAssertTrue(ports.contains { ($0["privatePort"] as? Int) == 22 && ($0["ip"] as? String) == "127.0.0.1" && ($0["type"] as? String) == "tcp" })
    }

    func testCuttingTheNetworkStopsConnectionsAndRestoringBringsThemBack() throws {
        let key = try makeUserKey()
        try registerAccountKey(try publicKey(key))
        let id = try client.createPod()
        let port = try client.waitForSSHPort(id)
        XCTAssertNotNil(SSHProbe(port: port))
        let http = try XCTUnwrap((try client.simPod(id)["httpPorts"] as? [String: String])?["8888"])
        let curl = HTTPClient(transport: CurlHTTPClient())
        let request = HTTPRequest(url: "http://\(http)/", timeout: .seconds(3), connectTimeout: .seconds(2))

        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/network", ["up": false]).status, 200)
        XCTAssertNil(SSHProbe(port: port, timeout: 3), "SSH through the public endpoint still works with the network cut")
        if sim.usesNamespaces {
            XCTAssertThrowsError(try curl.send(request, policy: .never), "the pod's address still answers with the network cut")
        }

        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/network", ["up": true]).status, 200)
        XCTAssertTrue(
            SimulatorClient.waitUntil(timeout: 20, interval: 0.2) { SSHProbe(port: port, timeout: 3)?.authenticate(privateKey: key) ?? false },
            "SSH did not come back after the network was restored")
        XCTAssertTrue(SimulatorClient.waitUntil(timeout: 20, interval: 0.2) { (try? curl.send(request, policy: .never))?.status == 200 })
    }

    func testLatencyShowsInRoundTripsAndGoesAwayAtZero() throws {
        let key = try makeUserKey()
        try registerAccountKey(try publicKey(key))
        let id = try client.createPod()
        let port = try client.waitForSSHPort(id)
        let ssh = try XCTUnwrap(SSHProbe(port: port))
        XCTAssertTrue(ssh.authenticate(privateKey: key))

        // One request/response through a forward is one round trip through the proxy. The
        // fastest of five is used: load on the machine can only add time, never remove it.
        func fastestRoundTrip() -> Double {
            var samples: [Double] = []
            for _ in 0..<5 {
                let started = Date()
                _ = ssh.httpThroughForward(host: "localhost", port: 8888)
                samples.append(Date().timeIntervalSince(started))
            }
            return samples.min() ?? 0
        }
        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/latency", ["ms": 20]).status, 200)
        let slow = fastestRoundTrip()
        XCTAssertGreaterThanOrEqual(slow, 0.040, "20 ms each way must add at least 40 ms per round trip")
        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/latency", ["ms": 0]).status, 200)
        let fast = fastestRoundTrip()
        XCTAssertLessThan(fast, 0.040, "latency did not go away at 0")
    }

    func testEveryAccountKeyGetsIn() throws {
        let first = try makeUserKey("first")
        let second = try makeUserKey("second")
        // As runpodctl and runpod-python store them: one string, keys separated by blank lines.
        try registerAccountKey(try publicKey(first) + "\n\n" + publicKey(second))
        let id = try client.createPod()
        let port = try client.waitForSSHPort(id)
        XCTAssertTrue(try XCTUnwrap(SSHProbe(port: port)).authenticate(privateKey: first))
        XCTAssertTrue(try XCTUnwrap(SSHProbe(port: port)).authenticate(privateKey: second))
    }

    func testStopDuringBootLeavesNoProcesses() throws {
        let id = try client.createPod()
        let stop = try client.graphQL("mutation { podStop(input: {podId: \"\(id)\"}) { desiredStatus } }")
        XCTAssertEqual((stop.data("podStop") as? [String: Any])?["desiredStatus"] as? String, "EXITED", stop.text)
        let directory = sim.stateDirectory
        let stoppedAt = Date()
        // The boot already under way finishes, notices the stop and tears down what it made:
        // give it a few seconds, then there must be nothing left.
        XCTAssertTrue(
            SimulatorClient.waitUntil(timeout: 30) {
                Date().timeIntervalSince(stoppedAt) > 3 && ProcessHygieneTests.processes(containing: directory).isEmpty
            }, "a pod stopped while booting kept its processes")
        XCTAssertEqual(try client.simPod(id)["booted"] as? Bool, false)
        if sim.usesNamespaces {
            XCTAssertTrue(SimulatorClient.waitUntil(timeout: 10) { ProcessHygieneTests.namespaces(ownedBy: getpid()).isEmpty })
        }
    }

    func testSshdKillAndRestart() throws {
        let key = try makeUserKey()
        try registerAccountKey(try publicKey(key))
        let id = try client.createPod()
        let port = try client.waitForSSHPort(id)
        let pid = try XCTUnwrap(try client.simPod(id)["sshdPid"] as? Int)

        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/sshd", ["action": "kill"]).status, 200)
        XCTAssertTrue(SimulatorClient.waitUntil(timeout: 10) { kill(pid_t(pid), 0) != 0 })
        XCTAssertNil(SSHProbe(port: port, timeout: 3), "SSH answered with sshd killed")

        XCTAssertEqual(try client.control("POST", "/_sim/pods/\(id)/sshd", ["action": "restart"]).status, 200)
        let probe = try XCTUnwrap(SSHProbe(port: port), "SSH did not answer after restart")
        XCTAssertTrue(probe.authenticate(privateKey: key))
        let newPid = try XCTUnwrap(try client.simPod(id)["sshdPid"] as? Int)
        XCTAssertNotEqual(newPid, pid)

        XCTAssertEqual(try client.control("POST", "/_sim/pods/nosuchpod/sshd", ["action": "kill"]).status, 404)
    }
}
