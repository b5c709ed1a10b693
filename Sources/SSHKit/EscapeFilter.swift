import AutopodSupport
/// OpenSSH's escape sequences, recognised only right after a newline (or at the start):
/// `~.` disconnects, `~?` lists the escapes, `~~` sends one `~`. Anything else after `~` is sent
/// with the `~`, as OpenSSH does.
struct EscapeFilter {
    enum Action: Equatable {
        case disconnect
        case help
    }

    private var atLineStart = true
    private var sawTilde = false

    static let help =
        "Supported escape sequences:\r\n ~.  - terminate connection\r\n ~?  - this message\r\n"
        + " ~~  - send the escape character by typing it twice\r\n(Note that escapes are only recognized immediately after newline.)\r\n"

    /// Returns the bytes to send and any local action the input asked for.
    mutating func filter(_ input: [UInt8]) -> (send: [UInt8], actions: [Action]) {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var actions: [Action] = []
        let tilde = UInt8(ascii: "~")
        for byte in input {
            if sawTilde {
                sawTilde = false
                switch byte {
                case UInt8(ascii: "."):
                    actions.append(.disconnect)
                    return (out, actions)
                case UInt8(ascii: "?"):
                    actions.append(.help)
                    atLineStart = true
                    continue
                case tilde:
                    out.append(tilde)
                    atLineStart = false
                    continue
                default:
                    out.append(tilde)
                }
            } else if atLineStart && byte == tilde {
                sawTilde = true
                continue
            }
            out.append(byte)
            atLineStart = byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        }
        return (out, actions)
    }
}
