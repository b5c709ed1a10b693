import AutopodSupport
import Foundation
import TestSupport
import XCTest

/// `autopod cp` and `autopod sync` through the built binary, against runpod-sim pods (real
/// sshd processes with OpenSSH's internal-sftp; the pod's /workspace is a directory on this
/// machine the test reads directly).
final class FilesEndToEndTests: EndToEndCase {
    private var scratch = ""
    private var podID = ""
    private var volume = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        scratch = try makeTempDirectory(prefix: "files-e2e")
        try connect()
        podID = try XCTUnwrap(listJSON().first?["id"] as? String)
        volume = try XCTUnwrap(try sim.client.simPod(podID)["volume"] as? String)
    }

    override func tearDownWithError() throws {
        _ = try? ChildProcess.run(["/usr/bin/chattr", "-R", "-i", scratch])
        try? FileManager.default.removeItem(atPath: scratch)
        try super.tearDownWithError()
    }

    // MARK: Helpers

    private func write(_ path: String, bytes: Int, mode: Int = 0o644, mtime: Int? = nil) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        var data = Data(count: bytes)
        data.withUnsafeMutableBytes { raw in
            for i in 0..<raw.count { raw[i] = UInt8.random(in: 0...255, using: &generator) }
        }
        try data.write(to: URL(fileURLWithPath: path))
        chmod(path, mode_t(mode))
        if let mtime { setTime(path, mtime) }
    }

    private func writeBig(_ path: String, megabytes: Int) throws {
        let dd = try ChildProcess.run(["/bin/sh", "-c", "head -c \(megabytes * 1024 * 1024) /dev/urandom > '\(path)'"])
        XCTAssertEqual(dd.status, 0, dd.stderr)
    }

    private func setTime(_ path: String, _ seconds: Int, followLinks: Bool = true) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, followLinks ? 0 : AT_SYMLINK_NOFOLLOW)
    }

    /// Every entry under `root`: path, type, mode, modification time (not for links, whose
    /// times SFTP cannot set), link target, and the SHA-256 of each file.
    private func manifest(_ root: String) throws -> [String] {
        let listing = try ChildProcess.run(["/bin/sh", "-c", "cd '\(root)' && find . -mindepth 1 -printf '%p %y %m %Ts %l\\n' | LC_ALL=C sort"])
        XCTAssertEqual(listing.status, 0, listing.stderr)
        let hashes = try ChildProcess.run(["/bin/sh", "-c", "cd '\(root)' && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum"])
        XCTAssertEqual(hashes.status, 0, hashes.stderr)
        let entries = listing.stdout.split(separator: "\n").map { line -> String in
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            if fields.count > 3 && fields[1] == "l" { return "\(fields[0]) l \(fields[4...].joined(separator: " "))" }
            return String(line)
        }
        return entries + hashes.stdout.split(separator: "\n").map(String.init)
    }

    private func assertSameTree(_ a: String, _ b: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let left = try manifest(a)
        let right = try manifest(b)
        XCTAssertFalse(left.isEmpty, file: file, line: line)
        XCTAssertEqual(left.count, right.count, file: file, line: line)
        for (x, y) in zip(left, right) where x != y {
            XCTFail("trees differ: \(x) vs \(y)", file: file, line: line)
            break
        }
    }

    private func sha256(_ path: String) throws -> String {
        String(try ChildProcess.run(["/usr/bin/sha256sum", path]).stdout.split(separator: " ").first ?? "")
    }

    private func size(_ path: String) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    }

    private func json(_ result: ProcessResult) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result)")
    }

    private func number(_ object: [String: Any], _ path: String...) -> Int {
        var current: Any? = object
        for key in path { current = (current as? [String: Any])?[key] }
        return (current as? Int) ?? (current as? NSNumber)?.intValue ?? -1
    }

    private func control(_ action: String, _ body: [String: Any]) throws {
        let reply = try sim.client.control("POST", "/_sim/pods/\(podID)/\(action)", body)
        XCTAssertEqual(reply.status, 200, reply.text)
    }

    /// A tree of 2,000 small files in 20 directories with assorted modes and times, a link,
    /// and a named pipe (which is not copied).
    private func makeTree(_ root: String) throws {
        for d in 0..<20 {
            for f in 0..<100 {
                try write("\(root)/d\(d)/f\(f).bin", bytes: 4096, mode: [0o644, 0o600, 0o755, 0o640][f % 4], mtime: 1_600_000_000 + d * 1000 + f)
            }
            chmod("\(root)/d\(d)", d % 2 == 0 ? 0o755 : 0o750)
            setTime("\(root)/d\(d)", 1_650_000_000 + d)
        }
        try FileManager.default.createSymbolicLink(atPath: root + "/latest", withDestinationPath: "d3/f7.bin")
        XCTAssertEqual(mkfifo(root + "/pipe", 0o644), 0)
        setTime(root, 1_640_000_000)
    }

    // MARK: cp

    /// The round trip the issue names: a 1 GiB file beside a tree of 2,000 small files, compared
    /// by content, mode and time in both directions.
    func testCopyUpAndDownKeepsBytesModesTimesAndLinks() throws {
        let tree = scratch + "/tree"
        try makeTree(tree)
        try writeBig(tree + "/big.bin", megabytes: 1024)
        setTime(tree + "/big.bin", 1_700_000_000)
        setTime(tree, 1_640_000_000)

        let up = try cli.run(["cp", "-r", tree, "\(podID):", "--json"])
        XCTAssertEqual(up.status, 0, "\(up)")
        let upSummary = try json(up)
        XCTAssertEqual(number(upSummary, "files", "copied"), 2002, "\(upSummary)")
        XCTAssertEqual(number(upSummary, "files", "skipped"), 1)
        XCTAssertEqual((upSummary["notes"] as? [String])?.first?.contains("pipe"), true, "\(upSummary)")
        let uploaded = volume + "/tree"
        try FileManager.default.removeItem(atPath: tree + "/pipe")
        try assertSameTree(tree, uploaded)

        // Down again into a fresh directory, through a pod-side wildcard for the big file too.
        let down = scratch + "/down"
        try FileManager.default.createDirectory(atPath: down, withIntermediateDirectories: true)
        let back = try cli.run(["cp", "-r", "\(podID):tree", down])
        XCTAssertEqual(back.status, 0, "\(back)")
        try assertSameTree(tree, down + "/tree")
        let globbed = try cli.run(["cp", "\(podID):tree/big.*", scratch + "/single/"])
        XCTAssertEqual(globbed.status, 0, "\(globbed)")
        XCTAssertEqual(try sha256(scratch + "/single/big.bin"), try sha256(tree + "/big.bin"))

        // A rerun finds everything complete and moves nothing.
        let again = try json(try cli.run(["cp", "-r", tree, "\(podID):", "--json"]))
        XCTAssertEqual(number(again, "bytes", "transferred"), 0, "\(again)")
        XCTAssertEqual(number(again, "files", "upToDate"), 2001)
    }

    func testResumeAfterTheLinkIsCutHalfWayMovesOnlyTheRest() throws {
        let file = scratch + "/big.bin"
        try writeBig(file, megabytes: 128)
        // 32 MB/s: the copy takes about four seconds, long enough to catch it half way.
        try control("bandwidth", ["bytesPerSecond": 32_000_000])
        let copy = try cli.start(["cp", file, "\(podID):", "--json", "--retry-for", "120"])
        let partial = volume + "/.big.bin.autopod-part"
        try eventually("the copy to pass half way", timeout: 60) { size(partial) >= 64 * 1024 * 1024 }
        try control("network", ["up": false])
        try eventually("the copy to notice the cut", timeout: 60) { copy.stderrSoFar.contains("connection lost") }
        try control("network", ["up": true])
        let result = try copy.wait(timeout: .seconds(180))
        XCTAssertEqual(result.status, 0, "\(result)")
        let summary = try json(result)
        XCTAssertGreaterThanOrEqual(number(summary, "reconnects"), 1, "\(summary)")
        let resumed = number(summary, "bytes", "resumed")
        let sent = number(summary, "bytes", "transferred")
        // Kept: the verified part of the partial file (its size less the 16 MiB of writes that
        // may still have been in flight). Sent: what went before the cut, then only the rest;
        // so what went twice (sent less one whole file) is what lay beyond the kept part when
        // the link went (at most those 16 MiB and what the cut swallowed).
        XCTAssertGreaterThanOrEqual(resumed, 64 * 1024 * 1024 - 16 * 1024 * 1024, "\(summary)")
        let sentTwice = sent - 128 * 1024 * 1024
        XCTAssertLessThan(sentTwice, 48 * 1024 * 1024, "\(summary)")
        XCTAssertEqual(try sha256(volume + "/big.bin"), try sha256(file))
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial))
    }

    func testAnInterruptedCopyContinuesWhenRunAgain() throws {
        let file = scratch + "/model.pt"
        try writeBig(file, megabytes: 96)
        try control("bandwidth", ["bytesPerSecond": 24_000_000])
        let first = try cli.start(["cp", file, "\(podID):models/", "--json"])
        let partial = volume + "/models/.model.pt.autopod-part"
        try eventually("the copy to pass half way", timeout: 60) { size(partial) >= 48 * 1024 * 1024 }
        first.interrupt()
        let stopped = try first.wait(timeout: .seconds(60))
        XCTAssertEqual(stopped.status, 130, "\(stopped)")
        XCTAssertEqual(try json(stopped)["interrupted"] as? Bool, true)
        XCTAssertFalse(FileManager.default.fileExists(atPath: volume + "/models/model.pt"), "a half copy took the real name")
        try control("bandwidth", ["bytesPerSecond": 0])

        let second = try cli.run(["cp", file, "\(podID):models/", "--json"])
        XCTAssertEqual(second.status, 0, "\(second)")
        let summary = try json(second)
        let resumed = number(summary, "bytes", "resumed")
        XCTAssertGreaterThanOrEqual(resumed, 48 * 1024 * 1024 - 16 * 1024 * 1024, "\(summary)")
        XCTAssertEqual(number(summary, "bytes", "transferred"), 96 * 1024 * 1024 - resumed, "only the rest moved")
        XCTAssertEqual(try sha256(volume + "/models/model.pt"), try sha256(file))
    }

    func testAnSSHDRestartMidCopyRecoversByItself() throws {
        try writeBig(volume + "/remote.bin", megabytes: 96)
        try control("bandwidth", ["bytesPerSecond": 24_000_000])
        let copy = try cli.start(["cp", "\(podID):remote.bin", scratch + "/", "--json"])
        let partial = scratch + "/.remote.bin.autopod-part"
        try eventually("the download to get going", timeout: 60) { size(partial) >= 24 * 1024 * 1024 }
        try control("sshd", ["action": "restart"])
        let result = try copy.wait(timeout: .seconds(180))
        XCTAssertEqual(result.status, 0, "\(result)")
        let summary = try json(result)
        XCTAssertGreaterThanOrEqual(number(summary, "reconnects"), 1, "\(summary)")
        XCTAssertGreaterThan(number(summary, "bytes", "resumed"), 0, "\(summary)")
        XCTAssertEqual(try sha256(scratch + "/remote.bin"), try sha256(volume + "/remote.bin"))
    }

    func testUnreadableAndUnwritableFilesAreNamedAndTheRestIsCopied() throws {
        let tree = scratch + "/mixed"
        for i in 0..<10 { try write("\(tree)/ok\(i).txt", bytes: 1000) }
        try write(tree + "/secret.txt", bytes: 1000, mode: 0o000)
        // Root reads anything; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH it is held to
        // the file's mode like any user.
        let up = try ChildProcess.run(
            ["/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--", CLIRunner.autopod, "cp", "-r", tree, "\(podID):"],
            environment: cli.environment)
        XCTAssertEqual(up.status, 1, "\(up)")
        XCTAssertTrue(up.stderr.contains("secret.txt"), up.stderr)
        XCTAssertTrue(up.stderr.contains("Permission denied"), up.stderr)
        for i in 0..<10 { XCTAssertTrue(FileManager.default.fileExists(atPath: "\(volume)/mixed/ok\(i).txt")) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: volume + "/mixed/secret.txt"))

        // Downloading into a directory that cannot be written (immutable, even for root).
        let down = scratch + "/down"
        try FileManager.default.createDirectory(atPath: down + "/mixed/locked", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: volume + "/mixed/locked", withIntermediateDirectories: true)
        try write(volume + "/mixed/locked/x.txt", bytes: 10)
        let chattr = try ChildProcess.run(["/usr/bin/chattr", "+i", down + "/mixed/locked"])
        XCTAssertEqual(chattr.status, 0, chattr.stderr)
        let back = try cli.run(["cp", "-r", "\(podID):mixed", down])
        XCTAssertEqual(back.status, 1, "\(back)")
        XCTAssertTrue(back.stderr.contains("locked/x.txt"), back.stderr)
        for i in 0..<10 { XCTAssertTrue(FileManager.default.fileExists(atPath: "\(down)/mixed/ok\(i).txt")) }
    }

    /// A new tree five directories deep, with files at every depth and directory modes that
    /// forbid writing (set only once the tree is filled): every MKDIR goes out at once, parents
    /// before children, and the copy must still be the same tree. A directory that cannot be
    /// made on the pod (a file in its way, found by the plan; an immutable parent, found by the
    /// server) is named with what it holds, and the rest is copied.
    func testADeepNewTreeIsCopiedInOneGoAndADirectoryThatCannotBeMadeIsNamed() throws {
        let tree = scratch + "/deep"
        var directories = [tree]
        for level in 0..<5 {
            var next: [String] = []
            for parent in directories {
                for b in 0..<(level < 3 ? 3 : 2) {
                    let path = "\(parent)/l\(level)b\(b)"
                    try write("\(path)/f.bin", bytes: 512 + level * 100 + b, mode: [0o644, 0o600, 0o755][b % 3], mtime: 1_600_000_000 + level * 10 + b)
                    next.append(path)
                }
            }
            directories += next
        }
        for (i, directory) in directories.enumerated().reversed() {
            chmod(directory, mode_t([0o755, 0o555, 0o750, 0o500][i % 4]))
            setTime(directory, 1_650_000_000 + i)
        }
        XCTAssertGreaterThan(directories.count, 150)
        let up = try cli.run(["cp", "-r", tree, "\(podID):nested/", "--json"])
        XCTAssertEqual(up.status, 0, "\(up)")
        XCTAssertEqual(number(try json(up), "files", "copied"), directories.count - 1, "\(up)")
        try assertSameTree(tree, volume + "/nested/deep")
        for (i, directory) in directories.enumerated().reversed() where i % 4 == 1 || i % 4 == 3 { chmod(directory, 0o755) }

        // On the pod, a file where one subtree's directory goes, and an immutable directory
        // where another subtree is to be made (its MKDIR fails on the server, and so do its
        // children's, sent right behind it).
        let blocked = "l0b0/l1b1"
        let locked = "l0b2"
        try FileManager.default.createDirectory(atPath: volume + "/again/deep/l0b0", withIntermediateDirectories: true)
        try write(volume + "/again/deep/\(blocked)", bytes: 10)
        try FileManager.default.createDirectory(atPath: volume + "/again/deep/\(locked)", withIntermediateDirectories: true)
        let chattr = try ChildProcess.run(["/usr/bin/chattr", "+i", volume + "/again/deep/\(locked)"])
        XCTAssertEqual(chattr.status, 0, chattr.stderr)
        defer { _ = try? ChildProcess.run(["/usr/bin/chattr", "-i", volume + "/again/deep/\(locked)"]) }
        let partly = try cli.run(["cp", "-r", tree, "\(podID):again/"])
        XCTAssertEqual(partly.status, 1, "\(partly)")
        XCTAssertTrue(partly.stderr.contains("deep/\(blocked): not a directory"), partly.stderr)
        XCTAssertTrue(partly.stderr.contains("deep/\(locked)/l1b0"), partly.stderr)
        XCTAssertTrue(partly.stderr.contains("deep/\(locked)/l1b0/l2b0/f.bin"), partly.stderr)
        for other in ["l0b1", "l0b0/l1b0", "l0b0/l1b2"] {
            let copied = try manifest(volume + "/again/deep/\(other)")
            XCTAssertEqual(copied, try manifest(tree + "/\(other)"), other)
        }
    }

    /// A fresh tree interrupted half way (files in flight under their partial names, others
    /// done) is completed by a rerun: the same tree, and no partial name left anywhere.
    func testAnInterruptedCopyOfAFreshTreeResumesAndLeavesNoPartialNames() throws {
        let tree = scratch + "/fresh"
        for d in 0..<8 {
            for f in 0..<40 { try write("\(tree)/d\(d)/f\(f)", bytes: 4096 + f * 1000, mode: 0o640, mtime: 1_600_000_000 + d * 100 + f) }
            try write("\(tree)/d\(d)/big", bytes: 2 * 1024 * 1024, mtime: 1_600_000_000 + d)
        }
        try control("bandwidth", ["bytesPerSecond": 4_000_000])
        let first = try cli.start(["cp", "-r", tree, "\(podID):", "--json"])
        let copy = volume + "/fresh"
        func names() -> [String] { (FileManager.default.subpaths(atPath: copy) ?? []).map { ($0 as NSString).lastPathComponent } }
        try eventually("some files to land and others to be in flight", timeout: 60) {
            names().contains { $0.hasSuffix(".autopod-part") } && names().filter { $0.hasPrefix("f") }.count >= 20
        }
        first.interrupt()
        let stopped = try first.wait(timeout: .seconds(60))
        XCTAssertEqual(stopped.status, 130, "\(stopped)")
        XCTAssertEqual(try json(stopped)["interrupted"] as? Bool, true)
        try control("bandwidth", ["bytesPerSecond": 0])

        let second = try cli.run(["cp", "-r", tree, "\(podID):", "--json"])
        XCTAssertEqual(second.status, 0, "\(second)")
        XCTAssertGreaterThan(number(try json(second), "files", "upToDate"), 0, "\(second)")
        try assertSameTree(tree, copy)
        XCTAssertEqual(names().filter { $0.hasSuffix(".autopod-part") }, [], "partial names left behind")
    }

    func testCopyUsageErrors() throws {
        let local = try cli.run(["cp", "a", "b"])
        XCTAssertEqual(local.status, 2)
        XCTAssertTrue(local.stderr.contains("one side must be on a pod"), local.stderr)
        let directory = scratch + "/dir"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let noRecursive = try cli.run(["cp", directory, "\(podID):"])
        XCTAssertEqual(noRecursive.status, 1)
        XCTAssertTrue(noRecursive.stderr.contains("use -r"), noRecursive.stderr)
        let missing = try cli.run(["cp", "\(podID):no/such/*.bin", scratch])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no match"), missing.stderr)
    }

    // MARK: sync

    func testSyncMovesOnlyChangesHonoursGitignoreAndDeletesExactlyTheExtras() throws {
        let project = scratch + "/project"
        for i in 0..<50 { try write("\(project)/src/m\(i).py", bytes: 2000) }
        try write(project + "/notes.log", bytes: 100)
        try write(project + "/build/out.o", bytes: 100)
        try write(project + "/keep/data.csv", bytes: 300)
        try Data("*.log\nbuild/\n".utf8).write(to: URL(fileURLWithPath: project + "/.gitignore"))
        try Data("keep/*.tmp\n".utf8).write(to: URL(fileURLWithPath: project + "/.autopodignore"))
        try write(project + "/keep/scratch.tmp", bytes: 10)

        let first = try json(try cli.run(["sync", project, "\(podID):project", "--json"]))
        XCTAssertEqual(number(first, "new"), 53, "\(first)")
        let remote = volume + "/project"
        XCTAssertTrue(FileManager.default.fileExists(atPath: remote + "/src/m49.py"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: remote + "/notes.log"), ".gitignore was not honoured")
        XCTAssertFalse(FileManager.default.fileExists(atPath: remote + "/build"), ".gitignore was not honoured")
        XCTAssertFalse(FileManager.default.fileExists(atPath: remote + "/keep/scratch.tmp"), ".autopodignore was not honoured")

        let second = try json(try cli.run(["sync", project, "\(podID):project", "--json"]))
        XCTAssertEqual(number(second, "new"), 0, "\(second)")
        XCTAssertEqual(number(second, "updated"), 0, "\(second)")
        XCTAssertEqual(number(second, "bytesTransferred"), 0, "\(second)")
        XCTAssertEqual(number(second, "unchanged"), 53)

        // One local change, one local removal, extras on the pod (one of them ignored).
        try write(project + "/src/m0.py", bytes: 2001)
        try FileManager.default.removeItem(atPath: project + "/src/m1.py")
        try write(remote + "/extra.txt", bytes: 5)
        try write(remote + "/olddir/inner.txt", bytes: 5)
        try write(remote + "/debug.log", bytes: 5)
        let dry = try cli.run(["sync", project, "\(podID):project", "--delete", "--dry-run"])
        XCTAssertEqual(dry.status, 0, "\(dry)")
        XCTAssertEqual(
            Set(dry.stdout.split(separator: "\n").map(String.init)),
            ["update src/m0.py", "delete src/m1.py", "delete extra.txt", "delete olddir/", "delete olddir/inner.txt"], dry.stdout)
        XCTAssertTrue(FileManager.default.fileExists(atPath: remote + "/extra.txt"), "--dry-run changed something")

        let third = try json(try cli.run(["sync", project, "\(podID):project", "--delete", "--json"]))
        XCTAssertEqual(number(third, "updated"), 1, "\(third)")
        XCTAssertEqual(number(third, "deleted"), 4, "\(third)")
        XCTAssertEqual(number(third, "newDirectories"), 0, "\(third)")
        for gone in ["extra.txt", "olddir", "src/m1.py"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: remote + "/" + gone), gone)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: remote + "/debug.log"), "an excluded file on the pod was deleted")
        XCTAssertEqual(size(remote + "/src/m0.py"), 2001)
        let listed = try FileManager.default.subpathsOfDirectory(atPath: remote).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(listed.filter { $0.hasSuffix(".py") }.count, 49)

        // --checksum sees a change that keeps size and time.
        let target = remote + "/src/m2.py"
        let mtime = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: target)[.modificationDate] as? Date)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: target))
        bytes[0] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: target))
        try FileManager.default.setAttributes([.modificationDate: mtime], ofItemAtPath: target)
        let plain = try json(try cli.run(["sync", project, "\(podID):project", "--json"]))
        XCTAssertEqual(number(plain, "updated"), 0, "size and time match: a plain sync sees nothing")
        let checked = try json(try cli.run(["sync", project, "\(podID):project", "--checksum", "--json"]))
        XCTAssertEqual(number(checked, "updated"), 1, "\(checked)")
        XCTAssertEqual(try sha256(target), try sha256(project + "/src/m2.py"))
    }

    func testSyncDownloadMirrorsThePodDirectory() throws {
        for i in 0..<20 { try write("\(volume)/out/run\(i).txt", bytes: 500, mtime: 1_600_000_000 + i) }
        let local = scratch + "/out"
        try write(local + "/stale.txt", bytes: 5)
        let result = try cli.run(["sync", "\(podID):out", local, "--delete"])
        XCTAssertEqual(result.status, 0, "\(result)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: local + "/stale.txt"))
        try assertSameTree(volume + "/out", local)
        let again = try json(try cli.run(["sync", "\(podID):out", local, "--json"]))
        XCTAssertEqual(number(again, "bytesTransferred"), 0, "\(again)")
    }

    func testWatchPicksUpALocalChange() throws {
        let project = scratch + "/notebooks"
        try write(project + "/a.ipynb", bytes: 100)
        let watcher = try cli.start(["sync", project, "\(podID):notebooks", "--watch"])
        try eventually("the first sync and the watch to start", timeout: 60) { watcher.stderrSoFar.contains("watching") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: volume + "/notebooks/a.ipynb"))

        try Data("edited on the laptop".utf8).write(to: URL(fileURLWithPath: project + "/a.ipynb"))
        try FileManager.default.createDirectory(atPath: project + "/new", withIntermediateDirectories: true)
        try Data("fresh".utf8).write(to: URL(fileURLWithPath: project + "/new/b.ipynb"))
        try eventually("the edit to reach the pod", timeout: 20) {
            (try? String(contentsOfFile: volume + "/notebooks/a.ipynb", encoding: .utf8)) == "edited on the laptop"
                && (try? String(contentsOfFile: volume + "/notebooks/new/b.ipynb", encoding: .utf8)) == "fresh"
        }
        watcher.interrupt()
        let stopped = try watcher.wait(timeout: .seconds(30))
        XCTAssertEqual(stopped.status, 130, "\(stopped)")
    }
}
