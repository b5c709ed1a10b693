/// A contiguous FIFO of bytes: appended at the tail (also by filling free space in place, so a
/// file read or a channel read lands directly in it), consumed from the head. SFTP packets are
/// built and parsed here without intermediate arrays; the storage is compacted rather than
/// grown while the unread part is small, so its size settles at the largest burst.
final class ByteQueue {
    private var storage: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private var head = 0
    private var tail = 0

    init(capacity: Int = 64 * 1024) {
        self.capacity = max(capacity, 64)
        storage = UnsafeMutableRawPointer.allocate(byteCount: self.capacity, alignment: 16)
    }

    deinit {
        storage.deallocate()
    }

    var count: Int { tail - head }
    var isEmpty: Bool { head == tail }

    /// The unread bytes; valid until the next mutation.
    var readable: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage + head, count: tail - head) }

    func consume(_ n: Int) {
        head += min(n, tail - head)
        if head == tail {
            head = 0
            tail = 0
        }
    }

    func removeAll() {
        head = 0
        tail = 0
    }

    /// Makes room for `n` more bytes at the tail: moves the unread bytes to the front if that is
    /// enough, grows the storage otherwise.
    func reserve(_ n: Int) {
        if capacity - tail >= n { return }
        let used = tail - head
        if head > 0 && capacity - used >= n && used <= capacity / 2 {
            storage.copyMemory(from: storage + head, byteCount: used)
        } else {
            var newCapacity = capacity
            while newCapacity - used < n { newCapacity *= 2 }
            let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            grown.copyMemory(from: storage + head, byteCount: used)
            storage.deallocate()
            storage = grown
            capacity = newCapacity
        }
        head = 0
        tail = used
    }

    /// Lets `fill` write up to `maximum` bytes at the tail; it returns how many it wrote (a
    /// negative result writes nothing and is passed back).
    @discardableResult
    func fill(upTo maximum: Int, _ fill: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        reserve(maximum)
        let n = fill(UnsafeMutableRawBufferPointer(start: storage + tail, count: maximum))
        if n > 0 { tail += min(n, maximum) }
        return n
    }

    func append(_ byte: UInt8) {
        reserve(1)
        storage.storeBytes(of: byte, toByteOffset: tail, as: UInt8.self)
        tail += 1
    }

    func append(_ value: UInt32) {
        reserve(4)
        storage.storeBytes(of: value.bigEndian, toByteOffset: tail, as: UInt32.self)
        tail += 4
    }

    func append(_ value: UInt64) {
        reserve(8)
        storage.storeBytes(of: value.bigEndian, toByteOffset: tail, as: UInt64.self)
        tail += 8
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count)
        (storage + tail).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        tail += bytes.count
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// An SSH/SFTP string: a 32-bit length, then the bytes.
    func appendString(_ bytes: [UInt8]) {
        append(UInt32(bytes.count))
        append(bytes)
    }

    func appendString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            append(UInt32(utf8.count))
            append(UnsafeRawBufferPointer(utf8))
        }
    }

    /// The write position, to patch a length field once the rest is known.
    var endOffset: Int { tail - head }

    /// Overwrites 4 bytes at `offset` (relative to the unread start) with `value`.
    func patch(_ value: UInt32, at offset: Int) {
        storage.storeBytes(of: value.bigEndian, toByteOffset: head + offset, as: UInt32.self)
    }

    /// Drops everything from `offset` (relative to the unread start) on: undoes a packet whose
    /// data could not be read.
    func truncate(to offset: Int) {
        tail = head + offset
    }
}
