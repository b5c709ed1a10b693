import ArgumentParser
@testable import AutopodCore
import SSHKit
import XCTest

@testable import AutopodCLI

/// Each command's own arguments: the pod argument, typed values, and the checks `validate()` makes.
final class CommandArgumentsTests: XCTestCase {
    func testThePodMayBeLeftOutWhereOnePodFits() throws {
        XCTAssertNil(try CommandLineParsing.parse(["info"], as: InfoCommand.self).pod.reference)
        XCTAssertNil(try CommandLineParsing.parse(["stop"], as: StopCommand.self).pod.reference)
        XCTAssertNil(try CommandLineParsing.parse(["start"], as: StartCommand.self).pod.reference)
        XCTAssertNil(try CommandLineParsing.parse(["kill", "--yes"], as: KillCommand.self).pod.reference)
        XCTAssertNil(try CommandLineParsing.parse(["shell"], as: ShellCommand.self).pod.reference)
        XCTAssertEqual(try CommandLineParsing.parse(["info", "abc"], as: InfoCommand.self).pod.reference, "abc")
        XCTAssertEqual(try CommandLineParsing.parse(["stop", "abc"], as: StopCommand.self).pod.reference, "abc")
        XCTAssertEqual(try CommandLineParsing.parse(["start", "abc"], as: StartCommand.self).pod.reference, "abc")
        XCTAssertEqual(try CommandLineParsing.parse(["kill", "-y", "abc"], as: KillCommand.self).pod.reference, "abc")
        XCTAssertEqual(try CommandLineParsing.parse(["shell", "abc", "--no-forwards"], as: ShellCommand.self).pod.reference, "abc")
        XCTAssertTrue(CommandLineParsing.usageError(["info", "a", "b"]).contains("Unexpected argument 'b'"))
    }

    func testExecTakesThePodAndTheWordsAfterTheTerminator() throws {
        let exec = try CommandLineParsing.parse(["exec", "mypod", "--", "nvidia-smi", "-L"], as: ExecCommand.self)
        XCTAssertEqual(exec.pod.reference, "mypod")
        XCTAssertEqual(exec.command, ["nvidia-smi", "-L"])
        let only = try CommandLineParsing.parse(["exec", "--", "ls", "-la"], as: ExecCommand.self)
        XCTAssertNil(only.pod.reference)
        XCTAssertEqual(only.command, ["ls", "-la"])
        XCTAssertEqual(
            CommandLineParsing.usageError(["exec", "mypod"]), "give the command after `--`, e.g. autopod exec mypod -- nvidia-smi")
    }

    func testTunnelReadsForwardSpecsAndRefusesBadOrDuplicatePorts() throws {
        let tunnel = try CommandLineParsing.parse(["tunnel", "mypod", "8888", "16006:6006", "--detach"], as: TunnelStart.self)
        XCTAssertEqual(tunnel.pod.reference, "mypod")
        XCTAssertEqual(tunnel.ports.map(\.localPort), [8888, 16006])
        XCTAssertEqual(tunnel.ports.map(\.remotePort), [8888, 6006])
        XCTAssertEqual(tunnel.ports.map(\.remoteHost), ["localhost", "localhost"])
        XCTAssertTrue(tunnel.detach)
        XCTAssertTrue(tunnel.statusDisplay)

        // No ports: the configured forwards (TunnelGrowthEndToEndTests).
        XCTAssertEqual(try CommandLineParsing.parse(["tunnel", "mypod"], as: TunnelStart.self).ports, [])
        let stop = try CommandLineParsing.parse(["tunnel", "stop", "mypod", "6006"], as: TunnelStop.self)
        XCTAssertEqual(stop.ports, [6006])
        XCTAssertEqual(CommandLineParsing.usageError(["tunnel", "stop", "all", "6006"]), "give ports with one pod's tunnel, not with `all`")
        XCTAssertEqual(CommandLineParsing.usageError(["tunnel", "mypod", "8888", "8888:22"]), "a local port is listed twice: 8888 8888:22")
        for bad in ["0", "65536", "88:", ":88", "1:2:3", "http"] {
            XCTAssertEqual(CommandLineParsing.usageError(["tunnel", "start", "mypod", bad]), "The value '\(bad)' is invalid for '<port>'")
        }
        XCTAssertTrue(CommandLineParsing.usageError(["tunnel", "start"]).contains("Missing expected argument '<pod>'"))
    }

    func testTunnelReadsAMemoryBudget() throws {
        XCTAssertNil(try CommandLineParsing.parse(["tunnel", "mypod", "8888"], as: TunnelStart.self).memoryBudget)
        let tunnel = try CommandLineParsing.parse(["tunnel", "mypod", "8888", "--memory-budget", "16M"], as: TunnelStart.self)
        XCTAssertEqual(tunnel.memoryBudget?.bytes, 16 << 20)
        XCTAssertEqual(
            CommandLineParsing.usageError(["tunnel", "mypod", "8888", "--memory-budget", "512K"]),
            "--memory-budget 512 KiB is too small to carry data; give at least 1 MiB (e.g. 16M)")
        XCTAssertEqual(
            CommandLineParsing.usageError(["tunnel", "mypod", "8888", "--memory-budget", "lots"]),
            "The value 'lots' is invalid for '--memory-budget <size>'")
    }

    func testAForwardSpecReadsBackFromItsArgument() throws {
        for text in ["8888", "16006:6006", "1", "65535:1"] {
            let spec = try XCTUnwrap(ForwardSpec(argument: text))
            XCTAssertEqual(spec.defaultValueDescription, text)
            XCTAssertEqual(ForwardSpec(argument: spec.defaultValueDescription), spec)
        }
        XCTAssertEqual(ForwardSpec(argument: "8888:8888")?.defaultValueDescription, "8888")
    }

    func testGpusChecksItsCountAndOverridesTheConfig() throws {
        XCTAssertEqual(CommandLineParsing.usageError(["gpus", "--count", "-2"]), "--count must be between 1 and 8, not -2")
        XCTAssertEqual(CommandLineParsing.usageError(["gpus", "--count", "9"]), "--count must be between 1 and 8, not 9")
        let gpus = try CommandLineParsing.parse(["gpus", "--count", "4", "--cloud", "all"], as: GpusCommand.self)
        var config = AutopodConfig()
        gpus.applyOverrides(to: &config)
        XCTAssertEqual(config.gpuCount, 4)
        XCTAssertEqual(config.cloudType, .all)
        var untouched = AutopodConfig(gpuCount: 2, cloudType: .community)
        try CommandLineParsing.parse(["gpus"], as: GpusCommand.self).applyOverrides(to: &untouched)
        XCTAssertEqual(untouched, AutopodConfig(gpuCount: 2, cloudType: .community))
    }

    func testConnectChecksItsOwnFlags() throws {
        XCTAssertEqual(
            CommandLineParsing.usageError(["connect", "--json"]), "--json needs --no-shell (or --dry-run): a shell would mix with the output")
        XCTAssertEqual(CommandLineParsing.usageError(["connect", "--name", "my pod"]), "--name must be a word without spaces")
        let connect = try CommandLineParsing.parse(["connect", "--wait-timeout", "1h30m", "--no-shell", "--json"], as: ConnectCommand.self)
        XCTAssertEqual(connect.waiting.waitTimeout.seconds, 5400)
        XCTAssertEqual(connect.waiting.waitTimeout.description, "1h30m")
    }

    func testLogsAndTunnelStopTakeTheirNumbersAndDurations() throws {
        XCTAssertEqual(CommandLineParsing.usageError(["logs", "-n", "-1"]), "-n must be 0 or more")
        XCTAssertEqual(try CommandLineParsing.parse(["logs", "-n", "0"], as: LogsCommand.self).lines, 0)
        let pod = try CommandLineParsing.parse(["logs", "p1", "--tail", "20", "--since", "10m", "--system", "-f"], as: LogsCommand.self)
        XCTAssertEqual(pod.pod, "p1")
        XCTAssertEqual(pod.lines, 20)
        XCTAssertTrue(pod.system && pod.follow)
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        XCTAssertEqual(LogsCommand.sinceDate("10m", now: now), now.addingTimeInterval(-600))
        XCTAssertEqual(LogsCommand.sinceDate("2027-01-05T14:00:00Z", now: now), Date(timeIntervalSince1970: 1_799_157_600))
        XCTAssertNil(LogsCommand.sinceDate("yesterday", now: now))
        XCTAssertEqual(
            CommandLineParsing.usageError(["logs", "p1", "--since", "yesterday"]),
            "--since takes a duration such as 10m or 2h, or a UTC time such as 2027-01-05T14:00:00Z, not yesterday")
        XCTAssertEqual(
            CommandLineParsing.usageError(["logs", "--self", "p1"]), "--self shows autopod's own log; leave out the pod, or leave out --self")
        XCTAssertEqual(
            CommandLineParsing.usageError(["logs", "--system"]),
            "--system and --since are for a pod's log: name the pod (`autopod logs POD`)")
        XCTAssertEqual(try CommandLineParsing.parse(["tunnel", "stop", "all"], as: TunnelStop.self).timeout.seconds, 10)
        XCTAssertEqual(try CommandLineParsing.parse(["tunnel", "stop", "all", "--timeout", "1m"], as: TunnelStop.self).timeout.seconds, 60)
        XCTAssertEqual(try CommandLineParsing.parse(["tunnel", "stop", "all", "--timeout", "2.5"], as: TunnelStop.self).timeout.seconds, 2.5)
    }

    func testCoreValuesReadAsArguments() throws {
        XCTAssertEqual(CloudType(argument: "secure"), .secure)
        XCTAssertEqual(CloudType(argument: "Community"), .community)
        XCTAssertNil(CloudType(argument: "moon"))
        XCTAssertEqual(CloudType.allValueStrings, ["SECURE", "COMMUNITY", "ALL"])

        XCTAssertEqual(WaitDuration(argument: "90s")?.seconds, 90)
        XCTAssertEqual(WaitDuration(argument: " 15m ")?.description, "15m")
        XCTAssertEqual(WaitDuration(argument: "45")?.duration, .seconds(45))
        XCTAssertNil(WaitDuration(argument: "0s"))
        XCTAssertNil(WaitDuration(argument: "-5"))

        XCTAssertEqual(PortSpec(argument: "8888/HTTP"), PortSpec(port: 8888, kind: .http))
        XCTAssertNil(PortSpec(argument: "22"))
        XCTAssertNil(PortSpec(argument: "70000/tcp"))
    }

    func testACommaListSplitsTrimsAndSkipsEmptyItems() throws {
        XCTAssertEqual(CommaList<String>(argument: "A40, rtx a6000,,4090,")?.values, ["A40", "rtx a6000", "4090"])
        XCTAssertEqual(CommaList<Int>(argument: "8888")?.values, [8888])
        XCTAssertNil(CommaList<Int>(argument: "8888,x"))
        XCTAssertEqual(CommaList<Int>(argument: "")?.values, [])
        XCTAssertEqual([CommaList<Int>(argument: "1,2")!, CommaList<Int>(argument: "3")!].flattened(), [1, 2, 3])
    }
}
