import AutopodSupport
internal import CLibSSH2
import Logging

/// Runs the authentication sequence on a blocking session and turns failures into one error
/// that lists every key tried and what the server said about each.
struct SSHAuthenticator {
    let session: SSHSession

    private struct Attempt {
        let what: String
        let outcome: String
    }

    func authenticate(_ credentials: SSHCredentials, passphrase: (String) -> String?) throws(SSHError) {
        session.setBlocking(true)
        let user = session.endpoint.user
        var attempts: [Attempt] = []
        var rsaRefusal: String?
        var lastCode: Int32 = 0

        for path in credentials.keyFiles {
            let info: PrivateKeyInfo
            do throws(SSHError) {
                info = try PrivateKeyInspector.inspect(path: path)
            } catch {
                attempts.append(Attempt(what: "key \(path)", outcome: "unreadable"))
                if credentials.keyFiles.count == 1 && !credentials.useAgent { throw error }
                continue
            }
            if info.isRSA {
                rsaRefusal = PrivateKeyInspector.rsaExplanation(keyPath: path)
                attempts.append(Attempt(what: "key \(path)", outcome: "skipped: RSA keys are not supported"))
                continue
            }
            var secret: String?
            if info.isEncrypted {
                secret = passphrase(path)
                if secret == nil {
                    attempts.append(Attempt(what: "key \(path)", outcome: "skipped: encrypted and no passphrase given"))
                    continue
                }
            }
            let rc = libssh2_userauth_publickey_fromfile_ex(
                session.raw, user, UInt32(user.utf8.count), nil, path, secret)
            if rc == 0 {
                session.logger.debug("authenticated", metadata: ["key": "\(path)", "endpoint": "\(session.endpoint)"])
                return
            }
            lastCode = rc
            let message = session.lastErrorMessage
            let outcome: String
            switch rc {
            case LIBSSH2_ERROR_FILE:
                outcome =
                    info.isEncrypted
                    ? "could not be decrypted (wrong passphrase?) (libssh2 \(rc): \(message))"
                    : "could not be read or parsed (libssh2 \(rc): \(message))"
            case LIBSSH2_ERROR_AUTHENTICATION_FAILED, LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED:
                // libssh2 gives the same code when the answer never came because the server
                // ended the connection: see `ended(during:)`.
                if let ending = session.serverEnding {
                    throw ended(during: "key \(path)", ending, code: rc, attempts: attempts, rsaRefusal: rsaRefusal)
                }
                outcome = "refused by the server (libssh2 \(rc): \(message))"
            default:
                if LibSSH2.isTransportFailure(rc) {
                    let ending = session.serverEnding ?? "libssh2 \(rc): \(message)"
                    throw ended(during: "key \(path)", ending, code: rc, attempts: attempts, rsaRefusal: rsaRefusal)
                }
                outcome = "failed (libssh2 \(rc): \(message))"
            }
            attempts.append(Attempt(what: "key \(path)", outcome: outcome))
        }

        if credentials.useAgent {
            let socket = credentials.agentSocketPath ?? ProcessInfoEnvironment.value("SSH_AUTH_SOCK")
            if let socket, !socket.isEmpty {
                var ended: SSHError?
                do throws(SSHError) {
                    let agent = try SSHAgentConnection(session: session, socketPath: socket)
                    let identities = try agent.identities()
                    if identities.isEmpty {
                        attempts.append(Attempt(what: "ssh-agent", outcome: "holds no keys"))
                    }
                    for identity in identities {
                        let label = "agent key \(identity.comment.isEmpty ? identity.keyType : identity.comment)"
                        // Each refused offer counts against the server's MaxAuthTries, and RSA
                        // can only fail on libssh2 1.10, so it is not offered at all.
                        if identity.keyType == "ssh-rsa" {
                            attempts.append(Attempt(what: label, outcome: "skipped: RSA keys are not supported"))
                            continue
                        }
                        let rc = agent.authenticate(user: user, identity: identity)
                        if rc == 0 {
                            session.logger.debug("authenticated", metadata: ["agentKey": "\(label)", "endpoint": "\(session.endpoint)"])
                            return
                        }
                        lastCode = rc
                        let ending = session.serverEnding
                        if ending != nil || LibSSH2.isTransportFailure(rc) {
                            let why = ending ?? "libssh2 \(rc): \(session.lastErrorMessage)"
                            ended = self.ended(during: label, why, code: rc, attempts: attempts, rsaRefusal: rsaRefusal)
                            break
                        }
                        attempts.append(Attempt(what: label, outcome: "refused by the server (libssh2 \(rc): \(session.lastErrorMessage))"))
                    }
                } catch {
                    if error.kind == .disconnected { throw error }
                    lastCode = error.code
                    attempts.append(Attempt(what: "ssh-agent at \(socket)", outcome: error.description))
                }
                if let ended { throw ended }
            } else {
                attempts.append(Attempt(what: "ssh-agent", outcome: "not available (SSH_AUTH_SOCK is not set)"))
            }
        }

        throw failure(attempts, rsaRefusal: rsaRefusal, code: lastCode)
    }

    /// No key was accepted: every one tried, and what became of it.
    private func failure(_ attempts: [Attempt], rsaRefusal: String?, code: Int32) -> SSHError {
        let tried = attempts.map { "  - \($0.what): \($0.outcome)" }.joined(separator: "\n")
        let target = "\(session.endpoint.user)@\(session.endpoint.host):\(session.endpoint.port)"
        if let rsaRefusal, attempts.allSatisfy({ $0.outcome.hasPrefix("skipped") || $0.outcome.hasPrefix("not available") }) {
            return SSHError(.unsupportedKey, rsaRefusal + "\nTried:\n" + tried, endpoint: session.endpoint)
        }
        return SSHError(
            .authentication,
            "Authentication to \(target) failed. Tried:\n" + (tried.isEmpty ? "  (no key files and no agent)" : tried)
                + (rsaRefusal.map { "\n" + $0 } ?? ""),
            endpoint: session.endpoint, code: code, libssh2Message: code != 0 ? session.lastErrorMessage : nil)
    }

    /// The server ended the connection during an attempt, instead of answering it (`ending` is
    /// what it said, or that it closed the socket). With no key refused before, it went away (a
    /// pod stopped or preempted mid-login): a dropped connection, worth retrying. After refusals
    /// it is sshd's MaxAuthTries ending the login: an authentication failure.
    private func ended(
        during what: String, _ ending: String, code: Int32, attempts: [Attempt], rsaRefusal: String?
    ) -> SSHError {
        let refused = attempts.filter { $0.outcome.hasPrefix("refused") }.count
        guard refused > 0 else {
            return session.error(.disconnected, "The connection dropped while authenticating with \(what) (\(ending)).", code: code)
        }
        let outcome =
            "not answered: the server ended the login after \(refused) refused (\(ending)), "
            + "as sshd does once its MaxAuthTries is used up"
        return failure(attempts + [Attempt(what: what, outcome: outcome)], rsaRefusal: rsaRefusal, code: code)
    }
}

/// Environment lookups without Foundation's ProcessInfo (keeps this file C-level).
enum ProcessInfoEnvironment {
    static func value(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        return String(cString: v)
    }
}
