import SSHKit
import XCTest
@testable import SSHKit

/// The pure parts of the transfer engine: the ledger that makes resuming safe with many
/// writes in flight, the partial-file names, and SFTP attribute encoding.
final class TransferBookkeepingTests: XCTestCase {
    func testLedgerKnowsTheLowestUnwrittenOffsetWhateverOrderChunksFinishIn() {
        var ledger = ChunkLedger(start: 100)
        let a = ledger.issue(length: 10, end: 1000)!
        let b = ledger.issue(length: 10, end: 1000)!
        let c = ledger.issue(length: 10, end: 125)!
        XCTAssertEqual(a.offset, 100)
        XCTAssertEqual(b.offset, 110)
        XCTAssertEqual(c.offset, 120)
        XCTAssertEqual(c.length, 5, "the last chunk stops at the end")
        XCTAssertNil(ledger.issue(length: 10, end: 125))
        XCTAssertEqual(ledger.lowestIncomplete, 100)
        ledger.complete(b.offset)
        ledger.complete(c.offset)
        XCTAssertEqual(ledger.lowestIncomplete, 100, "a finished later chunk does not move it past an unfinished one")
        XCTAssertFalse(ledger.isIdle)
        ledger.complete(a.offset)
        XCTAssertEqual(ledger.lowestIncomplete, 125)
        XCTAssertTrue(ledger.isIdle)
    }

    func testPartialNames() {
        XCTAssertEqual(TransferItem.partialPath(for: "/workspace/model.pt"), "/workspace/.model.pt.autopod-part")
        XCTAssertEqual(TransferItem.partialPath(for: "model.pt"), ".model.pt.autopod-part")
        XCTAssertTrue(TransferItem.isPartialName(".model.pt.autopod-part"))
        XCTAssertFalse(TransferItem.isPartialName("model.pt"))
        XCTAssertEqual(TransferItem.finalPath(ofPartial: "a/b/.c.txt.autopod-part"), "a/b/c.txt")
        XCTAssertEqual(TransferItem.finalPath(ofPartial: ".c.autopod-part"), "c")
    }

    func testAttributesRoundTripThroughTheWireFormat() {
        let queue = ByteQueue(capacity: 8)
        var attributes = SFTPAttributes(size: 1 << 40, permissions: 0o100644, accessTime: 1_600_000_000, modificationTime: 1_700_000_000)
        attributes.userID = 1000
        attributes.groupID = 1001
        queue.appendAttributes(attributes)
        let length = queue.readable.count
        queue.appendString("tail")
        var reader = SFTPReader(queue.readable)
        XCTAssertEqual(reader.attributes(), attributes)
        XCTAssertEqual(reader.string(), "tail")
        XCTAssertEqual(reader.remaining, 0)
        XCTAssertEqual(attributes.kind, .regular)
        XCTAssertEqual(attributes.mode, 0o644)
        // Cut anywhere, in the flags, a field or between two of a pair: refused, not read past.
        for cut in 0..<length {
            var short = SFTPReader(UnsafeRawBufferPointer(rebasing: queue.readable[0..<cut]))
            XCTAssertNil(short.attributes(), "cut after \(cut) bytes")
        }
    }

    func testByteQueueGrowsCompactsAndPatches() {
        let queue = ByteQueue(capacity: 64)
        for i in 0..<100 { queue.append(UInt32(i)) }
        XCTAssertEqual(queue.count, 400)
        queue.consume(396)
        let start = queue.endOffset
        queue.append(UInt32(0))
        queue.append([1, 2, 3])
        queue.patch(7, at: start)
        var reader = SFTPReader(queue.readable)
        XCTAssertEqual(reader.uint32(), 99)
        XCTAssertEqual(reader.uint32(), 7)
        XCTAssertEqual(reader.byte(), 1)
        queue.truncate(to: start)
        XCTAssertEqual(queue.count, 4)
    }
}
