#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard output and error, written unbuffered (as FileHandle did before autopod dropped full
/// Foundation): progress lines and prompts must show at once, in order with `print` output
/// that was flushed before them.
public enum StandardStream {
    case output, error

    private var fd: Int32 { self == .output ? 1 : 2 }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        if self == .output { fflush(nil) }  // what print() buffered goes first
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 {
                offset += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                return  // a closed pipe: nothing more can be shown
            }
        }
    }
}
