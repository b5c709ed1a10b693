import AutopodSupport
import FoundationEssentials
internal import CLibSSH2

/// A server's public host key as presented in the handshake or written in known_hosts.
public struct SSHHostKey: Sendable, Equatable, Hashable {
    /// The SSH key type name, e.g. `ssh-ed25519`, taken from the blob itself.
    public let type: String
    /// The raw SSH wire-format public key blob.
    public let blob: [UInt8]

    public init?(blob: [UInt8]) {
        guard let name = SSHWire.firstString(blob) else { return nil }
        self.type = name
        self.blob = blob
    }

    /// Parses the base64 field of a known_hosts line; the type inside the blob must agree
    /// with the line's type field, as OpenSSH requires.
    public init?(type: String, base64: String) {
        guard let data = Data(base64Encoded: base64), let key = SSHHostKey(blob: [UInt8](data)),
            key.type == type
        else { return nil }
        self = key
    }

    public var base64: String { Data(blob).base64EncodedString() }

    /// `SHA256:` + unpadded base64 of the blob's SHA-256, exactly as `ssh-keygen -l` prints it.
    public var fingerprint: String {
        var digest = [UInt8](repeating: 0, count: 32)
        _ = blob.withUnsafeBytes { raw in
            digest.withUnsafeMutableBufferPointer { out in
                clibssh2_sha256(raw.baseAddress, raw.count, out.baseAddress)
            }
        }
        let b64 = Data(digest).base64EncodedString()
        return "SHA256:" + b64.filter { $0 != "=" }
    }
}

/// Reading of SSH wire-format (RFC 4251 §5) length-prefixed strings.
enum SSHWire {
    static func firstString(_ bytes: [UInt8]) -> String? {
        var reader = Reader(bytes)
        guard let s = reader.readString() else { return nil }
        return String(decoding: s, as: UTF8.self)
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        mutating func readUInt32() -> UInt32? {
            guard offset + 4 <= bytes.count else { return nil }
            let v = bytes[offset..<offset + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            offset += 4
            return v
        }

        mutating func readString() -> [UInt8]? {
            guard let len = readUInt32(), Int(len) <= bytes.count - offset else { return nil }
            let s = Array(bytes[offset..<offset + Int(len)])
            offset += Int(len)
            return s
        }
    }

    static func appendString(_ out: inout [UInt8], _ s: [UInt8]) {
        appendUInt32(&out, UInt32(s.count))
        out += s
    }

    static func appendUInt32(_ out: inout [UInt8], _ v: UInt32) {
        out += [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
    }
}
