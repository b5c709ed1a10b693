import AutopodSupport
internal import CLibSSH2

/// A new ed25519 key pair from libcrypto's random generator.
public struct Ed25519KeyPair: Sendable {
    /// The 32-byte private seed, as OpenSSH stores it (followed by the public key).
    public let seed: [UInt8]
    public let publicKey: [UInt8]

    public init() throws(SSHError) {
        var seed = [UInt8](repeating: 0, count: 32)
        var publicKey = [UInt8](repeating: 0, count: 32)
        guard clibssh2_ed25519_generate(&seed, &publicKey) == 0 else {
            throw SSHError(.keyGeneration, "libcrypto could not generate an ed25519 key.")
        }
        self.seed = seed
        self.publicKey = publicKey
    }
}
