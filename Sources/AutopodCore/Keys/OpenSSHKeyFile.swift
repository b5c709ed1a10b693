import AutopodSupport
import FoundationEssentials
import SSHKit

/// Writes and reads just enough of OpenSSH's key formats: no package in reach serialises
/// `openssh-key-v1` private keys, so this small encoder is written by hand.
public enum OpenSSHKeyFile {
    public struct GeneratedKey: Sendable {
        public let privateKeyPEM: String
        /// `ssh-ed25519 AAAA... comment`, as it goes into authorized_keys or RunPod's settings.
        public let publicKeyLine: String
    }

    /// A fresh, unencrypted ed25519 key pair in OpenSSH's formats.
    public static func generateEd25519(comment: String) throws(SSHError) -> GeneratedKey {
        let key = try Ed25519KeyPair()
        let publicKey = Data(key.publicKey)
        let seed = Data(key.seed)
        var publicBlob = SSHWire()
        publicBlob.string("ssh-ed25519")
        publicBlob.bytes(publicKey)

        var secret = SSHWire()
        let check = UInt32.random(in: 0...UInt32.max)
        secret.uint32(check)
        secret.uint32(check)
        secret.string("ssh-ed25519")
        secret.bytes(publicKey)
        secret.bytes(seed + publicKey)
        secret.string(comment)
        var pad: UInt8 = 1
        while secret.data.count % 8 != 0 {
            secret.data.append(pad)
            pad += 1
        }

        var file = SSHWire()
        file.data.append(contentsOf: Array("openssh-key-v1".utf8) + [0])
        file.string("none")
        file.string("none")
        file.string("")
        file.uint32(1)
        file.bytes(publicBlob.data)
        file.bytes(secret.data)

        let base64 = file.data.base64EncodedString()
        var lines: [String] = ["-----BEGIN OPENSSH PRIVATE KEY-----"]
        var index = base64.startIndex
        while index < base64.endIndex {
            let end = base64.index(index, offsetBy: 70, limitedBy: base64.endIndex) ?? base64.endIndex
            lines.append(String(base64[index..<end]))
            index = end
        }
        lines.append("-----END OPENSSH PRIVATE KEY-----")
        return GeneratedKey(
            privateKeyPEM: lines.joined(separator: "\n") + "\n",
            publicKeyLine: "ssh-ed25519 \(publicBlob.data.base64EncodedString()) \(comment)")
    }

    /// Writes a generated key to `path` (0600) and `path.pub` (0644); refuses to replace a key.
    public static func write(_ key: GeneratedKey, to path: String) throws {
        for existing in [path, path + ".pub"] where FileManager.default.fileExists(atPath: existing) {
            throw FileProblem(path: existing, reason: "a key already exists there", fix: "choose another path")
        }
        try AutopodPaths.ensureDirectory(URL(fileURLWithPath: path).deletingLastPathComponent())
        try AtomicFile.write(Data(key.privateKeyPEM.utf8), to: URL(fileURLWithPath: path), mode: 0o600)
        try AtomicFile.write(Data((key.publicKeyLine + "\n").utf8), to: URL(fileURLWithPath: path + ".pub"), mode: 0o644)
    }

    /// The key type named inside an `openssh-key-v1` private key (readable even when encrypted).
    public static func publicKeyType(ofPrivateKeyText text: String) -> String? {
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { return nil }
        var reader = SSHWireReader(data: data)
        guard reader.skipMagic("openssh-key-v1"), reader.string() != nil, reader.string() != nil,
            reader.string() != nil, reader.uint32() != nil, let publicBlob = reader.bytes()
        else { return nil }
        var blobReader = SSHWireReader(data: publicBlob)
        return blobReader.string()
    }

    /// The public key line for a private key file: from `PATH.pub` when present.
    public static func publicKeyLine(forPrivateKeyAt path: String) -> String? {
        guard let text = try? String(contentsOfFile: path + ".pub", encoding: .utf8) else { return nil }
        let line = text.trimmingWhitespace()
        return line.isEmpty ? nil : line
    }
}

/// SSH wire encoding (RFC 4251 §5): big-endian uint32 and length-prefixed strings.
struct SSHWire {
    var data = Data()

    mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.bigEndian) { data.append(contentsOf: $0) }
    }

    mutating func bytes(_ value: Data) {
        uint32(UInt32(value.count))
        data.append(value)
    }

    mutating func string(_ value: String) { bytes(Data(value.utf8)) }
}

struct SSHWireReader {
    let data: Data
    var offset = 0

    init(data: Data) { self.data = Data(data) }

    mutating func skipMagic(_ magic: String) -> Bool {
        let expected = Array(magic.utf8) + [0]
        guard data.count >= expected.count, Array(data.prefix(expected.count)) == expected else { return false }
        offset = expected.count
        return true
    }

    mutating func uint32() -> UInt32? {
        guard offset + 4 <= data.count else { return nil }
        let value = data[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        offset += 4
        return value
    }

    mutating func bytes() -> Data? {
        guard let length = uint32(), offset + Int(length) <= data.count else { return nil }
        defer { offset += Int(length) }
        return data[offset..<offset + Int(length)]
    }

    mutating func string() -> String? { bytes().map { String(decoding: $0, as: UTF8.self) } }
}
