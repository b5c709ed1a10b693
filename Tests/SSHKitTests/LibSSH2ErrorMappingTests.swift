import XCTest

@testable import SSHKit

/// The one rule that turns a libssh2 return code into an error kind (pure logic). The codes are
/// libssh2.h's, written out because the tests do not import the C module.
final class LibSSH2ErrorMappingTests: XCTestCase {
    let socketRecv: Int32 = -43  // LIBSSH2_ERROR_SOCKET_RECV
    let timeout: Int32 = -9  // LIBSSH2_ERROR_TIMEOUT
    let kexFailure: Int32 = -5  // LIBSSH2_ERROR_KEX_FAILURE
    let requestDenied: Int32 = -22  // LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED
    let authFailed: Int32 = -18  // LIBSSH2_ERROR_AUTHENTICATION_FAILED

    func testATransportCodeMeansTheConnectionIsGoneWhateverTheStep() {
        for step: SSHError.Kind in [.channel, .authentication, .disconnected] {
            XCTAssertEqual(SSHError.kind(ofLibSSH2: socketRecv, during: step), .disconnected, "\(step)")
            XCTAssertEqual(SSHError.kind(ofLibSSH2: timeout, during: step), .disconnected, "\(step)")
        }
    }

    func testAnyOtherCodeIsTheStepsOwnFailure() {
        XCTAssertEqual(SSHError.kind(ofLibSSH2: requestDenied, during: .channel), .channel)
        XCTAssertEqual(SSHError.kind(ofLibSSH2: authFailed, during: .authentication), .authentication)
    }

    func testAHandshakeOnlyTellsATimeoutApart() {
        XCTAssertEqual(SSHError.kind(ofLibSSH2: timeout, during: .handshake), .timeout)
        XCTAssertEqual(SSHError.kind(ofLibSSH2: kexFailure, during: .handshake), .handshake)
        XCTAssertEqual(SSHError.kind(ofLibSSH2: socketRecv, during: .handshake), .handshake)
    }

    func testTheErrorKeepsTheCodeTheMessageAndTheEndpoint() {
        let endpoint = SSHEndpoint(host: "10.0.0.1", port: 2222)
        let error = SSHError(libssh2: requestDenied, message: "denied", during: .channel, endpoint: endpoint, "The server refused.")
        XCTAssertEqual(error.kind, .channel)
        XCTAssertEqual(error.code, requestDenied)
        XCTAssertEqual(error.libssh2Message, "denied")
        XCTAssertEqual(error.endpoint, endpoint)
        XCTAssertEqual(error.description, "The server refused. (libssh2 -22: denied)")
        let silent = SSHError(libssh2: socketRecv, message: "", during: .channel, endpoint: nil, "Lost.")
        XCTAssertEqual(silent.description, "Lost. (libssh2 -43)", "the number is kept when libssh2 gives no message")
    }
}
