import AutopodSupport
import Foundation
import SSHKit
import TestSupport
import XCTest

/// The upload of a small file sends FSETSTAT and CLOSE right behind its WRITE, without waiting
/// for the WRITE's answer, and renames only once all three are answered. A real server whose
/// disk fills up mid-copy proves the order: a file whose WRITE failed must never appear under
/// its final name, and a rerun once there is room completes the tree and leaves no partial name.
final class SFTPPipelinedUploadTests: SSHTestCase {
    private var scratch = ""
    private var mounted = false

    override func setUpWithError() throws {
        try super.setUpWithError()
        scratch = URL(fileURLWithPath: try makeTempDirectory(prefix: "sftp-pipelined")).standardizedFileURL.path
    }

    override func tearDown() {
        if mounted { _ = try? ChildProcess.run(["/bin/umount", scratch + "/disk"]) }
        try? FileManager.default.removeItem(atPath: scratch)
        super.tearDown()
    }

    /// A tmpfs of `kib` KiB at `scratch/disk` (the sshd runs on this machine, as this user).
    private func mountSmallDisk(kib: Int) throws {
        try FileManager.default.createDirectory(atPath: scratch + "/disk", withIntermediateDirectories: true)
        let result = try ChildProcess.run(["/bin/mount", "-t", "tmpfs", "-o", "size=\(kib)k", "tmpfs", scratch + "/disk"])
        guard result.status == 0 else { throw XCTSkip("cannot mount a small tmpfs here (needs root): \(result.stderr)") }
        mounted = true
    }

    func testAFullDiskNeverLeavesAFailedFileUnderItsFinalNameAndARerunCompletesTheTree() throws {
        try mountSmallDisk(kib: 512)
        let tree = scratch + "/tree"
        let copy = scratch + "/disk/copy"
        var files: [(source: String, destination: String)] = []
        for d in 0..<3 {
            try FileManager.default.createDirectory(atPath: "\(tree)/d\(d)", withIntermediateDirectories: true)
            for f in 0..<100 {
                let path = "\(tree)/d\(d)/f\(f)"
                try Data((0..<4096).map { _ in UInt8.random(in: 0...255) }).write(to: URL(fileURLWithPath: path))
                chmod(path, [0o644, 0o600, 0o755][f % 3])
                LocalFilesForTests.setTime(path, 1_600_000_000 + d * 100 + f)
                files.append((path, "\(copy)/d\(d)/f\(f)"))
            }
        }
        func items() throws -> [TransferItem] {
            var list = [TransferItem(kind: .directory, source: tree, destination: copy, mode: 0o755, modificationTime: 1_500_000_000)]
            for d in 0..<3 {
                list.append(TransferItem(kind: .directory, source: "\(tree)/d\(d)", destination: "\(copy)/d\(d)", mode: 0o755, modificationTime: 1_500_000_000))
            }
            for file in files {
                let info = try XCTUnwrap(try LocalFileInfo.lstat(file.source))
                list.append(
                    TransferItem(
                        kind: .file, source: file.source, destination: file.destination, size: info.size, mode: info.mode,
                        modificationTime: info.modificationTime, accessTime: info.accessTime))
            }
            return list
        }
        func assertIdentical(_ file: (source: String, destination: String)) throws {
            XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: file.source)), try Data(contentsOf: URL(fileURLWithPath: file.destination)), file.destination)
            let a = try XCTUnwrap(try LocalFileInfo.lstat(file.source))
            let b = try XCTUnwrap(try LocalFileInfo.lstat(file.destination))
            XCTAssertEqual(a.mode, b.mode, file.destination)
            XCTAssertEqual(a.modificationTime, b.modificationTime, file.destination)
        }

        let sftp = try SFTPClient(session: try connect())
        var first = TransferReport(count: try items().count)
        try sftp.transfer(try items(), direction: .upload, options: TransferOptions(), report: &first)
        let failed = Set(first.failures.map(\.path))
        // 300 files of 4 KiB cannot fit in 512 KiB: some fail, each named.
        XCTAssertFalse(failed.isEmpty, "the disk was expected to fill up")
        XCTAssertLessThan(failed.count, files.count, "some files were expected to fit")
        for file in files {
            if failed.contains(file.destination) {
                XCTAssertFalse(FileManager.default.fileExists(atPath: file.destination), "\(file.destination) failed but exists under its final name")
            } else {
                try assertIdentical(file)
            }
        }

        let grown = try ChildProcess.run(["/bin/mount", "-o", "remount,size=16m", scratch + "/disk"])
        XCTAssertEqual(grown.status, 0, grown.stderr)
        var second = TransferReport(count: try items().count)
        try sftp.transfer(try items(), direction: .upload, options: TransferOptions(), report: &second)
        XCTAssertEqual(second.failures, [])
        for file in files { try assertIdentical(file) }
        let left = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: copy))
            .filter { TransferItem.isPartialName(URL(fileURLWithPath: $0).lastPathComponent) }
        XCTAssertEqual(left, [], "partial names left behind")
    }
}
