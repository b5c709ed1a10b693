/// Standard output and error, written unbuffered (as FileHandle did before autopod dropped full
/// Foundation): progress lines and prompts must show at once, in order with `print` output
/// that was flushed before them.
public enum StandardStream {
    case output, error

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        if self == .output { fflush(nil) }  // what print() buffered goes first
        // A failed write (a closed pipe) leaves nothing more to show.
        _ = Posix.writeAll(self == .output ? 1 : 2, bytes)
    }
}
