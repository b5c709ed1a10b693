import AutopodSupport
import Foundation
import SSHKit
import TestSupport
import XCTest
@testable import SSHKit

/// SSHKit's SFTP client against a real OpenSSH sftp-server (the fixture's sshd runs as this
/// user on this machine, so both ends of a copy are files the test can read directly).
final class SFTPTests: SSHTestCase {
    private var scratch = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        scratch = URL(fileURLWithPath: try makeTempDirectory(prefix: "sftp-test")).standardizedFileURL.path
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: scratch)
        super.tearDown()
    }

    private func client() throws -> SFTPClient {
        try SFTPClient(session: try connect())
    }

    private func writeRandom(_ path: String, bytes: Int) throws {
        var generator = SystemRandomNumberGenerator()
        var data = Data(count: bytes)
        data.withUnsafeMutableBytes { raw in
            let words = raw.bindMemory(to: UInt64.self)
            for i in words.indices { words[i] = generator.next() }
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    private func sha256(_ path: String) throws -> String {
        let result = try ChildProcess.run(["/usr/bin/sha256sum", path])
        return String(result.stdout.split(separator: " ").first ?? "")
    }

    private func item(_ source: String, _ destination: String) throws -> TransferItem {
        let info = try XCTUnwrap(try LocalFileInfo.lstat(source))
        return TransferItem(
            kind: .file, source: source, destination: destination, size: info.size, mode: info.mode,
            modificationTime: info.modificationTime, accessTime: info.accessTime)
    }

    private func remoteItem(_ sftp: SFTPClient, _ source: String, _ destination: String) throws -> TransferItem {
        let attributes = try XCTUnwrap(try sftp.attributes(source))
        return TransferItem(
            kind: .file, source: source, destination: destination, size: attributes.size ?? 0, mode: attributes.mode ?? 0o644,
            modificationTime: Int64(attributes.modificationTime ?? 0), accessTime: Int64(attributes.accessTime ?? 0))
    }

    func testBasicOperations() throws {
        let started = Date()
        let sftp = try client()
        print("connected in \(Date().timeIntervalSince(started))")
        XCTAssertEqual(try sftp.realPath(scratch), scratch)
        try sftp.makeDirectory(scratch + "/d", mode: 0o750)
        let attributes = try XCTUnwrap(try sftp.attributes(scratch + "/d"))
        XCTAssertEqual(attributes.kind, .directory)
        XCTAssertEqual(attributes.mode, 0o750)
        XCTAssertNil(try sftp.attributes(scratch + "/missing"))
        try sftp.symlink(scratch + "/link", target: "d")
        XCTAssertEqual(try sftp.readLink(scratch + "/link"), "d")
        XCTAssertEqual(try sftp.attributes(scratch + "/link")?.kind, .symlink)
        XCTAssertEqual(try sftp.attributes(scratch + "/link", followLinks: true)?.kind, .directory)
        FileManager.default.createFile(atPath: scratch + "/a", contents: Data("a".utf8))
        FileManager.default.createFile(atPath: scratch + "/b", contents: Data("b".utf8))
        try sftp.rename(scratch + "/a", to: scratch + "/b")
        XCTAssertEqual(try String(contentsOfFile: scratch + "/b", encoding: .utf8), "a")
        do {
            try sftp.removeDirectory(scratch + "/nope")
            XCTFail("rmdir of a missing directory succeeded")
        } catch {
            XCTAssertEqual(error.kind, .noSuchFile)
            XCTAssertTrue(error.description.contains(scratch + "/nope"), error.description)
        }
        print("done in \(Date().timeIntervalSince(started))")
    }

    func testWalkListsAWholeTreeAndRemoveAllDeletes() throws {
        for d in 0..<30 {
            try FileManager.default.createDirectory(atPath: "\(scratch)/tree/d\(d)/sub", withIntermediateDirectories: true)
            for f in 0..<40 { FileManager.default.createFile(atPath: "\(scratch)/tree/d\(d)/sub/f\(f)", contents: Data([UInt8(f)])) }
        }
        // 250 names in one directory: several READDIR replies for it.
        for f in 0..<250 { FileManager.default.createFile(atPath: "\(scratch)/tree/top\(f)", contents: Data()) }
        let sftp = try client()
        let tree = try sftp.walk(scratch + "/tree")
        XCTAssertEqual(tree.unreadable.count, 0)
        XCTAssertEqual(tree.entries.count, 30 + 30 + 30 * 40 + 250)
        let paths = tree.entries.map(\.relativePath)
        XCTAssertEqual(Set(paths).count, paths.count)
        XCTAssertTrue(paths.contains("d7/sub/f39"))
        XCTAssertLessThan(try XCTUnwrap(paths.firstIndex(of: "d7")), try XCTUnwrap(paths.firstIndex(of: "d7/sub/f0")))
        let pruned = try sftp.walk(scratch + "/tree") { $0 != "d3" }
        XCTAssertFalse(pruned.entries.contains { $0.relativePath.hasPrefix("d3/") })
        XCTAssertTrue(pruned.entries.contains { $0.relativePath == "d3" })

        let files = tree.entries.filter { $0.attributes.kind == .regular }.map { scratch + "/tree/" + $0.relativePath }
        let directories = tree.entries.filter { $0.attributes.kind == .directory }.map { scratch + "/tree/" + $0.relativePath }
        let failures = try sftp.removeAll(files: files, directories: directories)
        XCTAssertEqual(failures, [])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: scratch + "/tree"), [])
    }

    func testBigFileRoundTripKeepsBytesModeAndTime() throws {
        let source = scratch + "/big"
        try writeRandom(source, bytes: 64 * 1024 * 1024 + 12345)
        chmod(source, 0o640)
        LocalFilesForTests.setTime(source, 1_600_000_000)
        try FileManager.default.createDirectory(atPath: scratch + "/up", withIntermediateDirectories: true)
        let sftp = try client()
        var report = TransferReport(count: 1)
        var progressReports = 0
        try sftp.transfer(
            [try item(source, scratch + "/up/big")], direction: .upload, options: TransferOptions(), report: &report
        ) { _ in progressReports += 1 }
        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(report.outcomes, [.copied])
        XCTAssertEqual(report.bytesTransferred, 64 * 1024 * 1024 + 12345)
        XCTAssertGreaterThan(progressReports, 0)
        XCTAssertEqual(try sha256(scratch + "/up/big"), try sha256(source))
        let uploaded = try XCTUnwrap(try LocalFileInfo.lstat(scratch + "/up/big"))
        XCTAssertEqual(uploaded.mode, 0o640)
        XCTAssertEqual(uploaded.modificationTime, 1_600_000_000)
        XCTAssertNil(try LocalFileInfo.lstat(TransferItem.partialPath(for: scratch + "/up/big")), "the partial file was left behind")

        var down = TransferReport(count: 1)
        try FileManager.default.createDirectory(atPath: scratch + "/down", withIntermediateDirectories: true)
        try sftp.transfer(
            [try remoteItem(sftp, scratch + "/up/big", scratch + "/down/big")], direction: .download, options: TransferOptions(),
            report: &down)
        XCTAssertEqual(down.outcomes, [.copied])
        XCTAssertEqual(try sha256(scratch + "/down/big"), try sha256(source))
        let downloaded = try XCTUnwrap(try LocalFileInfo.lstat(scratch + "/down/big"))
        XCTAssertEqual(downloaded.mode, 0o640)
        XCTAssertEqual(downloaded.modificationTime, 1_600_000_000)

        // A rerun finds both complete and moves nothing.
        var again = TransferReport(count: 1)
        try sftp.transfer([try item(source, scratch + "/up/big")], direction: .upload, options: TransferOptions(), report: &again)
        XCTAssertEqual(again.outcomes, [.upToDate])
        XCTAssertEqual(again.bytesTransferred, 0)
    }

    /// On a short round trip one channel keeps a download busy and more only cost CPU (256 MiB
    /// on loopback: 0.89 s over one, 1.05 s over four), so a big download is spread over the
    /// channels only across a long one. Told to spread here, it is, and arrives intact.
    func testABigDownloadIsSpreadOverChannelsOnlyAcrossALongRoundTrip() throws {
        let source = scratch + "/big"
        try writeRandom(source, bytes: 24 * 1024 * 1024 + 777)
        let sftp = try client()
        try sftp.run { sftp.roundTrip != nil }
        let roundTrip = try XCTUnwrap(sftp.roundTrip)
        XCTAssertLessThan(roundTrip, TransferOptions().stripeDownloadsFrom, "loopback measured as a long link")
        var report = TransferReport(count: 1)
        try sftp.transfer([try remoteItem(sftp, source, scratch + "/one")], direction: .download, options: TransferOptions(), report: &report)
        XCTAssertEqual(report.outcomes, [.copied])
        XCTAssertEqual(try sha256(scratch + "/one"), try sha256(source))
        XCTAssertEqual(sftp.engine.channels.count, 1, "a download on loopback opened more channels")

        // (The channels are up first: on loopback the file is down before they would be.)
        sftp.openChannels()
        try sftp.run { sftp.engine.channels.allSatisfy(\.isReady) }
        var options = TransferOptions()
        options.stripeDownloadsFrom = roundTrip
        var spread = TransferReport(count: 1)
        try sftp.transfer([try remoteItem(sftp, source, scratch + "/spread")], direction: .download, options: options, report: &spread)
        XCTAssertEqual(spread.outcomes, [.copied])
        XCTAssertEqual(try sha256(scratch + "/spread"), try sha256(source))
        XCTAssertEqual(sftp.engine.channels.count, 4)
        for channel in sftp.engine.channels.dropFirst() {
            // OPEN, READs, CLOSE: a lane that carried chunks made more than a few requests.
            XCTAssertGreaterThan(channel.nextID, 8, "a channel carried no part of the file")
        }
    }

    /// libssh2 1.10 reads every packet waiting on the socket before a channel read returns, so
    /// without the engine's allowance a download's replies were all read, and no new READ was
    /// sent, until the server paused: across an ocean the copy stopped for a round trip every
    /// window. Here the client decrypts slower than sshd sends, so the socket backs up.
    func testADownloadReadsAtMostOneBurstOfTheSocketBetweenSchedulingPasses() throws {
        let source = scratch + "/big"
        try writeRandom(source, bytes: 64 * 1024 * 1024)
        let sftp = try client()
        var report = TransferReport(count: 1)
        try sftp.transfer(
            [try remoteItem(sftp, source, scratch + "/down")], direction: .download, options: TransferOptions(), report: &report)
        XCTAssertEqual(report.outcomes, [.copied])
        XCTAssertEqual(try sha256(scratch + "/down"), try sha256(source))
        XCTAssertGreaterThan(sftp.engine.largestPass, 0)
        // One recv may overshoot the allowance by up to libssh2's read size (16 KiB).
        XCTAssertLessThanOrEqual(sftp.engine.largestPass, SFTPEngine.receiveBurst + 16 * 1024)
        XCTAssertNil(sftp.session.outbox.receiveAllowance, "the allowance outlived the engine's pass")
    }

    /// libssh2 1.10 fails a channel's wait for its subsystem answer when the CHANNEL_SUCCESS it
    /// reads is another channel's, and that took the whole session down (1 copy in 12 at 40 ms
    /// round trip). So one channel at a time asks for its subsystem (the session's request
    /// slot) while the next one opens (the open slot): every channel comes up, the first added
    /// first, and the opens overlap the waits instead of queueing behind them.
    func testChannelsAskForTheirSubsystemOneAtATimeWhileTheNextOneOpens() throws {
        for _ in 0..<5 {
            let sftp = try client()
            sftp.openChannels()
            var overlapped = 0
            try sftp.run { [engine = sftp.engine, session = sftp.session] in
                if let opening = session.channelOpenOwner, let asking = session.channelRequestOwner, opening != asking { overlapped += 1 }
                return engine.channels.count < 4 || engine.channels.allSatisfy(\.isReady)
            }
            XCTAssertEqual(sftp.engine.channels.count, 4, "a channel was lost while it started")
            XCTAssertGreaterThan(overlapped, 0, "no channel opened while another waited for its subsystem")
            XCTAssertNil(sftp.session.channelOpenOwner)
            XCTAssertNil(sftp.session.channelRequestOwner)
        }
    }

    /// With every channel opened at the start, the first is still the first up: it is the one
    /// the client waits for (channels open in the order they were added).
    func testChannelsOpenedAtTheStartComeUpFirstChannelFirst() throws {
        var options = SFTPOptions()
        options.openAllChannelsAtStart = true
        let sftp = try SFTPClient(session: try connect(), options: options)
        XCTAssertEqual(sftp.engine.channels.count, 4)
        XCTAssertTrue(sftp.primary.isReady)
        try sftp.run { sftp.engine.channels.allSatisfy(\.isReady) }
        XCTAssertEqual(try sftp.realPath(scratch), scratch)
    }

    /// A channel takes requests once the server has given it, about two round trips before
    /// SFTP answers on it: they wait behind INIT and go out when the subsystem is up.
    func testARequestQueuedWhileItsChannelStartsIsAnsweredOnceItIsUp() throws {
        let sftp = try client()
        sftp.openChannels()
        let second = sftp.engine.channels[1]
        try sftp.run { second.takesRequests }
        XCTAssertFalse(second.isReady)
        var reply: SFTPAttributes??
        second.request(.stat, path: scratch) { reply = .some($0.statResult ?? nil) }
        try sftp.run { reply != nil }
        XCTAssertTrue(second.isReady)
        XCTAssertEqual(reply??.kind, .directory)
    }

    /// A transfer queues files on channels that are still starting. If one of them then ends
    /// (its server process died), those files are never answered: the transfer must end as a
    /// lost connection (the copy reconnects and resumes), not wait for them for ever.
    func testAnExtraChannelThatEndsWithFilesQueuedOnItEndsTheTransfer() throws {
        // The first SFTP channel gets OpenSSH's server; the others a process that reads
        // nothing and exits a moment later, after the transfer has queued files on them.
        let script = sshd.directory + "/sftp-once"
        try """
        #!/bin/sh
        if mkdir '\(sshd.directory)/sftp-started' 2>/dev/null; then exec /usr/lib/openssh/sftp-server; fi
        sleep 1
        exit 1
        """.write(toFile: script, atomically: true, encoding: .utf8)
        chmod(script, 0o755)
        sshd.sftpServer = script
        try sshd.restart()
        var items: [TransferItem] = []
        for f in 0..<64 {
            try writeRandom("\(scratch)/f\(f)", bytes: 4096)
            items.append(try item("\(scratch)/f\(f)", "\(scratch)/copy-f\(f)"))
        }
        // The first channel is up before the others ask for their subsystem.
        let sftp = try client()
        sftp.openChannels()
        try sftp.run { sftp.engine.channels.count == 4 && sftp.engine.channels.allSatisfy(\.takesRequests) }
        // A hang would otherwise hang the suite: give up after a while, which fails the test.
        let watchdog = DispatchWorkItem { [cancellation = sftp.cancellation] in cancellation.cancel() }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        defer { watchdog.cancel() }
        var report = TransferReport(count: items.count)
        XCTAssertThrowsError(try sftp.transfer(items, direction: .upload, options: TransferOptions(), report: &report)) { error in
            XCTAssertEqual((error as? SFTPError)?.kind, .connectionLost, "\(error)")
        }
        XCTAssertLessThan(report.count(.copied), items.count)
    }

    /// The transfer's progress tick is a deadline; one left in the past made every later poll
    /// return at once, and the copy spun a core for the last round trips of every tree.
    func testADeadlineFiresOnceAndIsNotLeftInThePast() throws {
        let sftp = try client()
        var calls = 0
        sftp.engine.work = { () throws(SSHError) -> Bool in
            calls += 1
            return false
        }
        sftp.engine.deadline = .now - .milliseconds(1)
        try sftp.engine.service(PollSet(), now: .now)
        XCTAssertEqual(calls, 1)
        XCTAssertNil(sftp.engine.nextDeadline, "a passed deadline would make the loop poll without waiting")

        let later = ContinuousClock.now + .seconds(5)
        sftp.engine.deadline = later
        try sftp.engine.service(PollSet(), now: .now)
        XCTAssertEqual(sftp.engine.nextDeadline, later, "a deadline still ahead was dropped")
        sftp.engine.work = nil
    }

    /// libssh2 reads every packet waiting on the socket, so the last channel to read in a pass
    /// could take in replies for a channel read earlier in it; the loop then slept with them in
    /// hand until the progress tick, a quarter second (1 small tree in 12 at 0 ms). A copy's
    /// end, when replies trickle in over four channels, is where it happened: here are many.
    func testTheLoopNeverSleepsWithRepliesAlreadyTakenIn() throws {
        let tree = scratch + "/few"
        try FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
        var files: [TransferItem] = []
        for f in 0..<24 {
            try writeRandom("\(tree)/f\(f)", bytes: 4096)
            files.append(try item("\(tree)/f\(f)", "f\(f)"))
        }
        let sftp = try client()
        var rounds = 0
        while rounds < 150 && sftp.engine.lateWakeups == 0 {
            let destination = "\(scratch)/up\(rounds)"
            var items = [TransferItem(kind: .directory, source: tree, destination: destination, mode: 0o755, modificationTime: 1_500_000_000)]
            for file in files {
                var copy = file
                copy.destination = destination + "/" + file.destination
                items.append(copy)
            }
            var report = TransferReport(count: items.count)
            try sftp.transfer(items, direction: .upload, options: TransferOptions(), report: &report)
            XCTAssertEqual(report.failures, [])
            XCTAssertEqual(report.count(.copied), items.count)
            rounds += 1
        }
        XCTAssertEqual(sftp.engine.channels.count, 4)
        XCTAssertEqual(sftp.engine.lateWakeups, 0, "the loop slept with replies in hand (round \(rounds))")
    }

    func testRerunRecopiesAFileWhoseEndChangedAndResumesAPartialOne() throws {
        let source = scratch + "/src"
        try writeRandom(source, bytes: 40 * 1024 * 1024)
        let sftp = try client()
        var first = TransferReport(count: 1)
        try sftp.transfer([try item(source, scratch + "/dst")], direction: .upload, options: TransferOptions(), report: &first)
        XCTAssertEqual(first.outcomes, [.copied])

        // Same size and time, different last byte: not complete after all.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: scratch + "/dst"))
        try handle.seek(toOffset: 40 * 1024 * 1024 - 1)
        try handle.write(contentsOf: Data([0xAB ^ (try Data(contentsOf: URL(fileURLWithPath: source)).last!)]))
        try handle.close()
        LocalFilesForTests.setTime(scratch + "/dst", Int(try XCTUnwrap(try LocalFileInfo.lstat(source)).modificationTime))
        var second = TransferReport(count: 1)
        try sftp.transfer([try item(source, scratch + "/dst")], direction: .upload, options: TransferOptions(), report: &second)
        XCTAssertEqual(second.outcomes, [.copied])
        XCTAssertEqual(try sha256(scratch + "/dst"), try sha256(source))

        // A partial file of the first 30 MiB: kept up to 16 MiB below its end, the rest sent.
        let partial = TransferItem.partialPath(for: scratch + "/dst2")
        try Data(try Data(contentsOf: URL(fileURLWithPath: source)).prefix(30 * 1024 * 1024)).write(to: URL(fileURLWithPath: partial))
        var resumed = TransferReport(count: 1)
        try sftp.transfer([try item(source, scratch + "/dst2")], direction: .upload, options: TransferOptions(), report: &resumed)
        XCTAssertEqual(resumed.outcomes, [.copied])
        XCTAssertEqual(resumed.filesResumed, 1)
        XCTAssertEqual(resumed.bytesResumed, 14 * 1024 * 1024)
        XCTAssertEqual(resumed.bytesTransferred, 26 * 1024 * 1024)
        XCTAssertEqual(try sha256(scratch + "/dst2"), try sha256(source))

        // A partial file whose bytes before the resume point differ is started over.
        var wrong = try Data(contentsOf: URL(fileURLWithPath: source)).prefix(30 * 1024 * 1024)
        wrong[wrong.startIndex + 14 * 1024 * 1024 - 10] ^= 0xFF
        try Data(wrong).write(to: URL(fileURLWithPath: TransferItem.partialPath(for: scratch + "/dst3")))
        var restarted = TransferReport(count: 1)
        try sftp.transfer([try item(source, scratch + "/dst3")], direction: .upload, options: TransferOptions(), report: &restarted)
        XCTAssertEqual(restarted.bytesResumed, 0)
        XCTAssertEqual(restarted.bytesTransferred, 40 * 1024 * 1024)
        XCTAssertEqual(try sha256(scratch + "/dst3"), try sha256(source))
    }

    func testDownloadResumesALocalPartial() throws {
        let source = scratch + "/remote"
        try writeRandom(source, bytes: 33 * 1024 * 1024)
        let destination = scratch + "/local"
        try Data(try Data(contentsOf: URL(fileURLWithPath: source)).prefix(20 * 1024 * 1024))
            .write(to: URL(fileURLWithPath: TransferItem.partialPath(for: destination)))
        let sftp = try client()
        var report = TransferReport(count: 1)
        try sftp.transfer([try remoteItem(sftp, source, destination)], direction: .download, options: TransferOptions(), report: &report)
        XCTAssertEqual(report.outcomes, [.copied])
        XCTAssertEqual(report.bytesResumed, 4 * 1024 * 1024)
        XCTAssertEqual(report.bytesTransferred, 29 * 1024 * 1024)
        XCTAssertEqual(try sha256(destination), try sha256(source))
    }

    func testATreeOfTwoThousandSmallFilesRoundTripsWithModesTimesLinksAndAFifoSkipped() throws {
        let tree = scratch + "/tree"
        var items: [TransferItem] = []
        items.append(TransferItem(kind: .directory, source: tree, destination: scratch + "/copy", mode: 0o755, modificationTime: 1_500_000_000))
        for d in 0..<20 {
            try FileManager.default.createDirectory(atPath: "\(tree)/d\(d)", withIntermediateDirectories: true)
            items.append(TransferItem(kind: .directory, source: "\(tree)/d\(d)", destination: "\(scratch)/copy/d\(d)", mode: 0o711, modificationTime: 1_500_000_000 + Int64(d)))
            for f in 0..<100 {
                let path = "\(tree)/d\(d)/f\(f)"
                try writeRandom(path, bytes: 4096)
                chmod(path, [0o644, 0o600, 0o755][f % 3])
                LocalFilesForTests.setTime(path, 1_600_000_000 + d * 100 + f)
                items.append(try item(path, "\(scratch)/copy/d\(d)/f\(f)"))
            }
        }
        items.append(TransferItem(kind: .symlink(target: "d0/f1"), source: tree + "/link", destination: scratch + "/copy/link"))
        items.append(TransferItem(kind: .special("named pipe"), source: tree + "/fifo", destination: scratch + "/copy/fifo"))
        let sftp = try client()
        var report = TransferReport(count: items.count)
        try sftp.transfer(items, direction: .upload, options: TransferOptions(), report: &report)
        // Thousands of requests over four channels: replies or a WINDOW_ADJUST that libssh2 took
        // in while reading for another channel once waited for the next progress tick.
        XCTAssertEqual(sftp.engine.lateWakeups, 0, "the loop slept with replies or a window in hand")
        XCTAssertEqual(report.failures, [])
        XCTAssertEqual(report.count(.copied), items.count - 1)
        XCTAssertEqual(report.count(.skipped), 1)
        XCTAssertEqual(report.notes.count, 1)
        XCTAssertTrue(report.notes[0].contains("fifo"), report.notes[0])
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: scratch + "/copy/link"), "d0/f1")

        // And back down, from the pod's listing, into a third tree.
        let listing = try sftp.walk(scratch + "/copy")
        var down: [TransferItem] = [TransferItem(kind: .directory, source: scratch + "/copy", destination: scratch + "/back", mode: 0o755, modificationTime: 1_500_000_000)]
        let targets = try sftp.readLinks(listing.entries.filter { $0.attributes.kind == .symlink }.map { scratch + "/copy/" + $0.relativePath })
        for entry in listing.entries {
            let source = scratch + "/copy/" + entry.relativePath
            let kind: TransferItem.Kind
            switch entry.attributes.kind {
            case .directory: kind = .directory
            case .symlink: kind = .symlink(target: targets[source] ?? "")
            default: kind = .file
            }
            down.append(
                TransferItem(
                    kind: kind, source: source, destination: scratch + "/back/" + entry.relativePath, size: entry.attributes.size ?? 0,
                    mode: entry.attributes.mode ?? 0, modificationTime: Int64(entry.attributes.modificationTime ?? 0),
                    accessTime: Int64(entry.attributes.accessTime ?? 0)))
        }
        var back = TransferReport(count: down.count)
        try sftp.transfer(down, direction: .download, options: TransferOptions(), report: &back)
        XCTAssertEqual(sftp.engine.lateWakeups, 0, "the loop slept with replies or a window in hand")
        XCTAssertEqual(back.failures, [])
        for d in 0..<20 {
            for f in 0..<100 {
                let original = "\(tree)/d\(d)/f\(f)"
                for copy in ["\(scratch)/copy/d\(d)/f\(f)", "\(scratch)/back/d\(d)/f\(f)"] {
                    XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: original)), try Data(contentsOf: URL(fileURLWithPath: copy)), copy)
                    let a = try XCTUnwrap(try LocalFileInfo.lstat(original))
                    let b = try XCTUnwrap(try LocalFileInfo.lstat(copy))
                    XCTAssertEqual(a.mode, b.mode, copy)
                    XCTAssertEqual(a.modificationTime, b.modificationTime, copy)
                }
            }
            for copy in ["\(scratch)/copy/d\(d)", "\(scratch)/back/d\(d)"] {
                let directory = try XCTUnwrap(try LocalFileInfo.lstat(copy))
                XCTAssertEqual(directory.mode, 0o711, copy)
                XCTAssertEqual(directory.modificationTime, 1_500_000_000 + Int64(d), copy)
            }
        }
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: scratch + "/back/link"), "d0/f1")
    }
}

enum LocalFilesForTests {
    static func setTime(_ path: String, _ seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, path, &times, 0)
    }
}
