import Foundation
import TestSupport
import XCTest

/// Where the API key may travel (issue 11 item 13): https anywhere, plain http only to this
/// machine, whether the URL comes from the config or from RUNPOD_API_BASE_URL; and a reply
/// that redirects elsewhere (another protocol, or plain http) takes the key nowhere.
final class APIKeyTransportEndToEndTests: EndToEndCase {
    override class var runsOnEveryAPI: Bool { false }

    /// `.invalid` never resolves (RFC 6761): a request that went out would fail on the name,
    /// with words other than the refusal's.
    private let remoteHTTP = "http://runpod.example.invalid"

    func testPlainHTTPToAnotherMachineIsRefusedFromTheConfigAndTheEnvironment() throws {
        let fromConfig = CLIRunner(apiKey: "rpa_SECRETKEY1234", environment: ["AUTOPOD_HOME": cli.home.path])
        fromConfig.environment.removeValue(forKey: "RUNPOD_API_BASE_URL")
        try writeConfig(extra: ["apiBaseURL": remoteHTTP])
        let configured = try fromConfig.run(["list", "-v"])
        XCTAssertNotEqual(configured.status, 0, "\(configured)")
        XCTAssertTrue(configured.stderr.contains("plain http to another machine"), configured.stderr)
        XCTAssertFalse(configured.stderr.contains("HTTP 200") || configured.stderr.contains("resolve"), configured.stderr)

        try writeConfig()
        for url in [remoteHTTP, "http://10.1.2.3:8080", "HTTP://runpod.example.invalid/graphql"] {
            let result = try cli.run(["list", "-v"], environment: ["RUNPOD_API_BASE_URL": url])
            XCTAssertNotEqual(result.status, 0, "\(url): \(result)")
            XCTAssertTrue(result.stderr.contains("plain http to another machine"), "\(url): \(result.stderr)")
            XCTAssertTrue(result.stderr.contains("RUNPOD_API_BASE_URL"), "\(url): \(result.stderr)")
        }
        // Other schemes are no URL for the key at all.
        let ftp = try cli.run(["list"], environment: ["RUNPOD_API_BASE_URL": "ftp://127.0.0.1/"])
        XCTAssertNotEqual(ftp.status, 0, "\(ftp)")
        XCTAssertTrue(ftp.stderr.contains("is not an http(s) URL"), ftp.stderr)

        // `config init` checks a new key through the same provider: not sent, saved unchecked.
        let initRun = try cli.run(["config", "init", "--non-interactive", "--api-key", "rpa_SECRETKEY1234"], environment: ["RUNPOD_API_BASE_URL": remoteHTTP])
        XCTAssertEqual(initRun.status, 0, "\(initRun)")
        XCTAssertTrue(initRun.stdout.contains("plain http to another machine"), initRun.stdout)
        XCTAssertTrue(initRun.stdout.contains("saved unchecked"), initRun.stdout)
    }

    func testHTTPSAnywhereAndHTTPToLoopbackAreAllowed() throws {
        // https to a name that does not resolve: the request is made (and fails on the name).
        let https = try cli.run(["list"], environment: ["RUNPOD_API_BASE_URL": "https://runpod.example.invalid", "AUTOPOD_API_TIMEOUT": "5"])
        XCTAssertTrue(https.stderr.contains("Could not resolve host: runpod.example.invalid"), https.stderr)
        XCTAssertFalse(https.stderr.contains("plain http") || https.stderr.contains("not an http(s) URL"), https.stderr)

        // Plain http to 127.0.0.1 carries the key (the simulator, a scripted server).
        let server = try ScriptedHTTPServer(replies: [.init(status: 200, headers: ["Content-Type": "application/json"], body: #"{"data":{"myself":{"pods":[]}}}"#)])
        let result = try cli.run(["list"], environment: ["RUNPOD_API_BASE_URL": server.url, "AUTOPOD_API": "graphql"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertEqual(server.received.first?.headers.first { $0.key.lowercased() == "authorization" }?.value, "Bearer \(SimulatorProcess.apiKey)")
    }

    func testRedirectsAreNotFollowedToAnotherProtocolOrToPlainHTTP() throws {
        let elsewhere = try ScriptedHTTPServer(replies: [.init(status: 200, body: "{}")])
        for location in ["file:///etc/passwd", "ftp://127.0.0.1:\(elsewhere.port)/key", "\(elsewhere.url)/graphql"] {
            let server = try ScriptedHTTPServer(replies: [.init(status: 302, headers: ["Location": location])])
            let result = try cli.run(["list", "-v"], environment: ["RUNPOD_API_BASE_URL": server.url, "AUTOPOD_API": "graphql"])
            XCTAssertNotEqual(result.status, 0, "\(location): \(result)")
            XCTAssertFalse((result.stdout + result.stderr + cli.logText()).contains("root:x:0:0"), "\(location): the file was read")
            XCTAssertEqual(server.received.count, 1, "\(location): one request, no retry through the redirect")
        }
        XCTAssertEqual(elsewhere.received.count, 0, "the key followed a redirect: \(elsewhere.received.map(\.path))")
    }
}
