import AutopodSupport
import Logging

/// One report from `SSHSession.waitUntilReady`, sent before each retry.
public struct SSHReadinessProgress: Sendable {
    public var attempt: Int
    public var elapsed: Double
    /// Why the last attempt did not get through.
    public var lastError: SSHError
}

extension SSHSession {
    /// Retries TCP connect + handshake (+ host-key check + auth) with a short backoff until one
    /// attempt gets all the way through or `timeout` seconds pass. A freshly started pod refuses,
    /// resets, or stalls for a while before its sshd answers; all of that is retried. A refused
    /// host key, an RSA key or an unreadable key file cannot get better by waiting and end the
    /// wait at once.
    public static func waitUntilReady(
        _ endpoint: SSHEndpoint, timeout: Double, credentials: SSHCredentials?,
        passphrase: (String) -> String? = { _ in nil },
        options: SSHSessionOptions = SSHSessionOptions(),
        logger: Logger = Logger(label: "autopod.ssh"),
        verifyHostKey: (SSHHostKey) throws(SSHError) -> Void = { _ throws(SSHError) in },
        progress: (SSHReadinessProgress) -> Void = { _ in }
    ) throws(SSHError) -> SSHSession {
        let start = Posix.now()
        var delay = 0.25
        var attempt = 0
        while true {
            attempt += 1
            let remaining = timeout - (Posix.now() - start)
            var attemptOptions = options
            attemptOptions.connectTimeout = max(0.2, min(options.connectTimeout, remaining))
            attemptOptions.operationTimeout = max(0.5, min(options.operationTimeout, remaining))
            let lastError: SSHError
            do throws(SSHError) {
                let session = try SSHSession(connectingTo: endpoint, options: attemptOptions, logger: logger)
                try verifyHostKey(session.hostKey)
                if let credentials {
                    try session.authenticate(credentials, passphrase: passphrase)
                }
                return session
            } catch {
                switch error.kind {
                case .hostKeyChanged, .unsupportedKey, .keyFile, .knownHostsFile:
                    throw error
                default:
                    lastError = error
                }
            }
            let elapsed = Posix.now() - start
            if elapsed + delay >= timeout {
                throw SSHError(
                    .timeout,
                    "\(endpoint.host):\(endpoint.port) did not accept SSH within \(Int(timeout.rounded())) s (\(attempt) attempts). "
                        + "Last error: \(lastError.description)",
                    code: lastError.code, libssh2Message: lastError.libssh2Message)
            }
            progress(SSHReadinessProgress(attempt: attempt, elapsed: elapsed, lastError: lastError))
            usleep(useconds_t(delay * 1_000_000))
            delay = min(delay * 1.6, 3)
        }
    }
}
