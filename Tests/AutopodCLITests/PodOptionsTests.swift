import ArgumentParser
@testable import AutopodCore
import XCTest

@testable import AutopodCLI

/// `connect` and `config init` take the pod's flags from one group: the same values, the same
/// checks, the same messages.
final class PodOptionsTests: XCTestCase {
    private let allFlags = [
        "--gpu", "A40, rtx a6000", "--gpu", "4090", "--gpu-count", "2", "--cloud", "community", "--region", "EU-RO-1",
        "--image", "my/image:1", "--volume", "0", "--container-disk", "30", "--port", "8888/http,22/tcp",
        "--port", "6006/HTTP", "--forward", "8888,6006", "--forward", "7860",
    ]

    func testConnectReadsEveryPodFlagIntoTheConfigInForce() throws {
        let connect = try CommandLineParsing.parse(["connect", "--no-shell"] + allFlags, as: ConnectCommand.self)
        var config = AutopodConfig()
        connect.applyOverrides(to: &config)
        XCTAssertEqual(config.gpuTypes, ["A40", "rtx a6000", "4090"])
        XCTAssertEqual(config.gpuCount, 2)
        XCTAssertEqual(config.cloudType, .community)
        XCTAssertEqual(config.dataCenterId, "EU-RO-1")
        XCTAssertEqual(config.image, "my/image:1")
        XCTAssertEqual(config.volumeGB, 0)
        XCTAssertEqual(config.containerDiskGB, 30)
        XCTAssertEqual(config.ports, "8888/http,22/tcp,6006/http")
        XCTAssertEqual(config.forwards, [8888, 6006, 7860])
        XCTAssertTrue(ConfigParser.validate(config).isEmpty, "\(ConfigParser.validate(config))")

        let options = LaunchOptions(config: config)
        XCTAssertEqual(options.gpuNames, ["A40", "rtx a6000", "4090"])
        XCTAssertEqual(options.cloud, .community)
        XCTAssertEqual(options.ports, "8888/http,22/tcp,6006/http")
    }

    func testConfigInitReadsTheSameFlagsIntoTheSameSettings() throws {
        let connect = try CommandLineParsing.parse(["connect", "--no-shell"] + allFlags, as: ConnectCommand.self)
        let initCommand = try CommandLineParsing.parse(["config", "init", "--non-interactive"] + allFlags, as: ConfigInit.self)
        var fromConnect = AutopodConfig()
        connect.podOptions.apply(to: &fromConnect)
        var fromInit = AutopodConfig()
        initCommand.podOptions.apply(to: &fromInit)
        XCTAssertEqual(fromConnect, fromInit)
        XCTAssertNotEqual(fromInit, AutopodConfig())
    }

    func testFlagsLeftOutKeepTheConfigAndAnyRegionClearsIt() throws {
        let connect = try CommandLineParsing.parse(["connect", "--no-shell"], as: ConnectCommand.self)
        var config = AutopodConfig(dataCenterId: "US-TX-3")
        connect.applyOverrides(to: &config)
        XCTAssertEqual(config, AutopodConfig(dataCenterId: "US-TX-3"))
        XCTAssertEqual(connect.waiting.waitTimeout.seconds, 900)

        let anywhere = try CommandLineParsing.parse(["connect", "--no-shell", "--region", "ANY"], as: ConnectCommand.self)
        anywhere.applyOverrides(to: &config)
        XCTAssertNil(config.dataCenterId)
    }

    func testNegativeAndOutOfRangeNumbersNameTheFlagInBothCommands() {
        let cases: [([String], String)] = [
            (["--gpu-count", "-1"], "--gpu-count must be between 1 and 8, not -1"),
            (["--gpu-count", "9"], "--gpu-count must be between 1 and 8, not 9"),
            (["--gpu-count=0"], "--gpu-count must be between 1 and 8, not 0"),
            (["--volume", "-5"], "--volume must be between 0 and 10000 GB, not -5"),
            (["--volume", "10001"], "--volume must be between 0 and 10000 GB, not 10001"),
            (["--container-disk", "0"], "--container-disk must be between 1 and 4000 GB, not 0"),
            (["--forward", "-1"], "--forward must be between 1 and 65535, not -1"),
            (["--forward", "8888,70000"], "--forward must be between 1 and 65535, not 70000"),
            (["--port", "8888/http"], "--port must include 22/tcp: autopod reaches pods over SSH"),
            (["--region", "EU RO"], "--region takes a data centre id such as EU-RO-1, or 'any', not 'EU RO'"),
            (["--image", "a b"], "--image takes an image name without spaces, not 'a b'"),
        ]
        for (flags, expected) in cases {
            let fromConnect = CommandLineParsing.usageError(["connect", "--dry-run"] + flags)
            let fromInit = CommandLineParsing.usageError(["config", "init", "--non-interactive"] + flags)
            XCTAssertEqual(fromConnect, expected, "\(flags)")
            XCTAssertEqual(fromInit, expected, "\(flags)")
            XCTAssertFalse(fromConnect.contains("Missing value"), fromConnect)
        }
    }

    func testValuesThatDoNotReadAreReportedWithTheFlagAndItsForm() {
        XCTAssertEqual(
            CommandLineParsing.usageError(["connect", "--cloud", "moon"]),
            "The value 'moon' is invalid for '--cloud <cloud>'. Please provide one of 'SECURE', 'COMMUNITY' or 'ALL'.")
        XCTAssertEqual(
            CommandLineParsing.usageError(["config", "init", "--port", "8888/udp"]),
            "The value '8888/udp' is invalid for '--port <port/kind>'")
        XCTAssertEqual(
            CommandLineParsing.usageError(["config", "init", "--forward", "8888,jupyter"]),
            "The value '8888,jupyter' is invalid for '--forward <port>'")
        XCTAssertEqual(
            CommandLineParsing.usageError(["connect", "--gpu-count", "two"]), "The value 'two' is invalid for '--gpu-count <n>'")
        XCTAssertEqual(
            CommandLineParsing.usageError(["connect", "--wait-timeout", "15 minutes"]),
            "The value '15 minutes' is invalid for '--wait-timeout <duration>'")
    }

    func testTheHelpOfBothCommandsShowsEachFlagTheSameWay() {
        let connect = ConnectCommand.helpMessage(columns: 200)
        let initHelp = ConfigInit.helpMessage(columns: 200)
        let lines = PodOptions.helpMessage(columns: 200).split(separator: "\n").filter { $0.hasPrefix("  --") }
        XCTAssertEqual(lines.count, 9, "\(lines)")
        for line in lines {
            XCTAssertTrue(connect.contains(line), "connect --help lacks: \(line)")
            XCTAssertTrue(initHelp.contains(line), "config init --help lacks: \(line)")
        }
    }
}
