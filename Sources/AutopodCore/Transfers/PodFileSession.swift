import AutopodSupport
import Logging
import SSHKit

/// An SFTP connection to a pod that comes back by itself, as a tunnel does: when the link
/// drops mid-copy (network cut, sshd restart, a pod stop and start), `run` reconnects with
/// backoff (1 s doubling to 10 s, resolving the pod's endpoint afresh each time) and runs its
/// body again, which resumes where the lost connection stopped (`SFTPClient.transfer` keeps
/// partial files and skips what is finished).
///
/// Not Sendable (one thread); `cancel()` may be called from any thread (Ctrl+C).
public final class PodFileSession {
    public let ssh: PodSSH
    /// How long to keep trying after a drop before giving up.
    public var retryFor: Duration = .seconds(300)
    public var maxBackoff: Duration = .seconds(10)
    public var sftpOptions = SFTPOptions()
    public var events: (FileSessionEvent) -> Void = { _ in }
    /// Connections made so far beyond the first.
    public private(set) var reconnects = 0
    private var client: SFTPClient?
    /// Ctrl+C, from any thread.
    public let cancellation = FileSessionCancellation()
    private let logger = Logger(label: "autopod.files")

    public init(ssh: PodSSH) {
        self.ssh = ssh
    }

    /// Stops what the session is doing (the running body throws `.cancelled`), from any thread.
    public func cancel() { cancellation.cancel() }

    public var isCancelled: Bool { cancellation.isCancelled }

    /// The connected client, connecting first if needed (no retry: a first connection that
    /// fails is reported as it is).
    public func connected() throws -> SFTPClient {
        if let client { return client }
        let made = try SFTPClient(session: try ssh.connect(), options: sftpOptions, logger: logger)
        cancellation.attach(made.cancellation)
        client = made
        return made
    }

    /// Runs `body` on a connected client. When the connection is lost, reconnects and runs
    /// `body` again, until it completes, fails otherwise, or `retryFor` passes without a
    /// working connection. Errors are `SFTPError` (cancelled, a file error) or `SSHError`
    /// (authentication, host key, the pod gone).
    public func run<T>(_ body: (SFTPClient) throws(SFTPError) -> T) throws -> T {
        var attempt = 0
        var lastProblem: String?
        var lostAt: ContinuousClock.Instant?
        var backoff = Duration.seconds(1)
        while true {
            if isCancelled { throw SFTPError(.cancelled, "interrupted") }
            do {
                let current: SFTPClient
                if let client {
                    current = client
                } else {
                    attempt += 1
                    current = try connected()
                    if lostAt != nil {
                        reconnects += 1
                        events(.connected(attempt: attempt))
                    }
                    backoff = .seconds(1)
                }
                let result = try body(current)
                return result
            } catch let error as SFTPError {
                guard error.kind == .connectionLost else {
                    if error.kind != .cancelled { client = nil }
                    throw error
                }
                lastProblem = error.description
            } catch let error as SSHError {
                switch error.kind {
                case .authentication, .unsupportedKey, .keyFile, .hostKeyChanged, .knownHostsFile, .endpointGone, .interrupted:
                    throw error
                default:
                    // The first connection's failure is the user's to see; after a drop, the
                    // pod may just be on its way back.
                    if lostAt == nil { throw error }
                    lastProblem = error.description
                }
            }
            client = nil
            cancellation.attach(nil)
            let now = ContinuousClock.now
            if lostAt == nil { lostAt = now }
            if let lostAt, lostAt.duration(to: now) > retryFor {
                throw SFTPError(
                    .connectionLost,
                    "the connection to \(ssh.podName) stayed down for \(retryFor.wholeSeconds) s (\(lastProblem ?? "no answer")); run the command again to resume")
            }
            let delay = backoff * Double.random(in: 0.8...1.2)
            logger.warning("file session lost", metadata: ["pod": "\(ssh.podID)", "reason": "\(lastProblem ?? "")", "retryIn": "\(delay)"])
            events(.reconnecting(reason: lastProblem ?? "connection lost", attempt: attempt, retryIn: delay))
            waitOrCancel(delay)
            backoff = min(backoff * 2, maxBackoff)
        }
    }

    private func waitOrCancel(_ duration: Duration) {
        guard !isCancelled else { return }
        var p = pollfd(fd: cancellation.wakeFD, events: Int16(POLLIN), revents: 0)
        _ = poll(&p, 1, duration.pollMilliseconds)
    }
}
