import AutopodSupport
import FoundationEssentials

/// What can be told about a private key file without decrypting it: its type (so RSA can be
/// refused with an explanation before libssh2 fails with a bare -18) and whether it needs a
/// passphrase (so the user is prompted only when one is needed).
public struct PrivateKeyInfo: Sendable, Equatable {
    /// SSH key type name (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, ...), nil if unknown.
    public var keyType: String?
    public var isEncrypted: Bool

    public var isRSA: Bool { keyType == "ssh-rsa" }

    public init(keyType: String?, isEncrypted: Bool) {
        self.keyType = keyType
        self.isEncrypted = isEncrypted
    }
}

public enum PrivateKeyInspector {
    /// Why an RSA key was not used.
    public static func rsaExplanation(keyPath: String) -> String {
        "\(keyPath) is an RSA key. libssh2 1.10 can only sign with ssh-rsa (SHA-1), "
            + "which OpenSSH 8.8 and later refuse, so this key cannot log in to a current server."
    }

    public static func inspect(path: String) throws(SSHError) -> PrivateKeyInfo {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SSHError(.keyFile, "Cannot read the key file \(path). Check the path and its permissions.")
        }
        let text = String(decoding: data, as: UTF8.self)
        var info = inspect(text: text)
        if info.keyType == nil, let pub = FileManager.default.contents(atPath: path + ".pub") {
            // PKCS#8 files do not name their algorithm in clear text; the public half does.
            let fields = String(decoding: pub, as: UTF8.self).split(separator: " ")
            if let first = fields.first { info.keyType = String(first) }
        }
        return info
    }

    /// Reads the header (PEM) or the unencrypted preamble of an `openssh-key-v1` file, which
    /// carries the cipher name and the public key in clear even when the key is encrypted.
    public static func inspect(text: String) -> PrivateKeyInfo {
        if text.contains("-----BEGIN RSA PRIVATE KEY-----") {
            return PrivateKeyInfo(keyType: "ssh-rsa", isEncrypted: text.contains("ENCRYPTED"))
        }
        if text.contains("-----BEGIN EC PRIVATE KEY-----") {
            return PrivateKeyInfo(keyType: "ecdsa-sha2", isEncrypted: text.contains("ENCRYPTED"))
        }
        if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return PrivateKeyInfo(keyType: nil, isEncrypted: true)
        }
        guard let begin = text.firstRange(of: "-----BEGIN OPENSSH PRIVATE KEY-----"),
            let end = text[begin.upperBound...].firstRange(of: "-----END OPENSSH PRIVATE KEY-----")
        else {
            return PrivateKeyInfo(keyType: nil, isEncrypted: false)
        }
        let body = text[begin.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let decoded = Data(base64Encoded: String(body)) else {
            return PrivateKeyInfo(keyType: nil, isEncrypted: false)
        }
        let bytes = [UInt8](decoded)
        let magic = Array("openssh-key-v1".utf8) + [0]
        guard bytes.starts(with: magic) else { return PrivateKeyInfo(keyType: nil, isEncrypted: false) }
        var reader = SSHWire.Reader(Array(bytes[magic.count...]))
        guard let cipher = reader.readString(), reader.readString() != nil /* kdf */,
            reader.readString() != nil /* kdf options */, let count = reader.readUInt32(), count >= 1,
            let publicKey = reader.readString()
        else { return PrivateKeyInfo(keyType: nil, isEncrypted: false) }
        return PrivateKeyInfo(
            keyType: SSHWire.firstString(publicKey),
            isEncrypted: String(decoding: cipher, as: UTF8.self) != "none")
    }
}
