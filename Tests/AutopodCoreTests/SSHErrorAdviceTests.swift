import AutopodCore
import SSHKit
import XCTest

/// autopod's advice on SSH failures (pure logic): SSHKit reports what failed, AutopodCore says
/// what to do about it.
final class SSHErrorAdviceTests: XCTestCase {
    let endpoint = SSHEndpoint(host: "203.0.113.5", port: 40022)

    func testAnUnreachablePodIsAdvisedByWhatFailed() {
        let refused = SSHError(.connect, "Cannot connect to 203.0.113.5:40022: Connection refused.", endpoint: endpoint)
        XCTAssertEqual(
            refused.userMessage,
            "Cannot connect to 203.0.113.5:40022: Connection refused. The pod may be stopped or its SSH port not yet open.")
        let slow = SSHError(.timeout, "Connecting to 203.0.113.5:40022 timed out after 10 s.", endpoint: endpoint)
        XCTAssertTrue(slow.userMessage.hasSuffix("The pod may still be starting; try again shortly."), slow.userMessage)
        let handshake = SSHError(.handshake, "SSH handshake with 203.0.113.5:40022 failed.", endpoint: endpoint, code: -13)
        XCTAssertTrue(handshake.userMessage.contains("sshd may still be starting"), handshake.userMessage)
    }

    func testTheCoresOwnConnectErrorsAlreadySayWhatThePodIsDoing() {
        // PodSSH's "is exited; waiting for it to run again" has no endpoint: nothing is added.
        let waiting = SSHError(.connect, "gpu-1 is exited; waiting for it to run again (`autopod start gpu-1`).")
        XCTAssertNil(waiting.advice)
        XCTAssertEqual(waiting.userMessage, waiting.description)
    }

    func testKeyProblemsNameTheCommandThatFixesThem() {
        let refused = SSHError(.authentication, "Authentication to root@203.0.113.5:40022 failed. Tried:\n  - key k: refused", endpoint: endpoint)
        XCTAssertTrue(
            refused.userMessage.hasSuffix(
                "\nCheck that your public key is registered with RunPod (`autopod config init`) and that the pod was created after it was added."),
            refused.userMessage)
        let rsa = SSHError(.unsupportedKey, "k is an RSA key.\nTried:\n  - key k: skipped", endpoint: endpoint)
        XCTAssertTrue(rsa.userMessage.contains("\nRun `autopod config init` to create an ed25519 key"), rsa.userMessage)
        XCTAssertTrue(SSHError(.keyGeneration, "libcrypto failed.").userMessage.contains("ssh-keygen -t ed25519"))
    }

    func testAChangedHostKeyNamesTheFlagOnItsOwnLine() {
        let changed = SSHError(
            .hostKeyChanged,
            "The host key of pod p at [h]:1 has changed.\n  pinned:    SHA256:old (ssh-ed25519)\n  presented: SHA256:new (ssh-ed25519)\nIt could mean interception.")
        XCTAssertTrue(
            changed.userMessage.hasSuffix(
                "\nIf you trust the new key, run the command again with --accept-host-key SHA256:new (or --accept-new-host-key) "
                    + "to accept this one change; a later change is checked as usual."),
            changed.userMessage)
    }

    func testAShellWithoutATerminalPointsToExec() {
        let error = SSHError(.notATerminal, "Standard input is not a terminal, so an interactive shell cannot run.")
        XCTAssertEqual(error.userMessage, "Standard input is not a terminal, so an interactive shell cannot run. Use `autopod exec POD -- COMMAND` instead.")
    }

    func testFailuresWhoseFactsSayItAllGetNoAdvice() {
        for kind: SSHError.Kind in [.nameResolution, .keyFile, .channel, .disconnected, .io, .localPort, .knownHostsFile, .interrupted, .endpointGone] {
            XCTAssertNil(SSHError(kind, "x", endpoint: endpoint).advice, "\(kind)")
        }
    }
}
