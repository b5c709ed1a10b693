@testable import AutopodCore
import Foundation
import TestSupport
import XCTest

final class ConfigTests: XCTestCase {
    func testDefaults() {
        let config = AutopodConfig()
        XCTAssertEqual(config.gpuTypes, ["NVIDIA A40", "NVIDIA RTX A6000", "NVIDIA RTX A5000"])
        XCTAssertEqual(config.gpuCount, 1)
        XCTAssertEqual(config.cloudType, .secure)
        XCTAssertEqual(config.containerDiskGB, 20)
        XCTAssertEqual(config.volumeGB, 50)
        XCTAssertEqual(config.volumeMountPath, "/workspace")
        XCTAssertEqual(config.ports, "8888/http,22/tcp")
        XCTAssertEqual(config.forwards, [8888])
        XCTAssertEqual(config.sshUser, "root")
        XCTAssertTrue(config.image.hasPrefix("runpod/pytorch:"))
        XCTAssertEqual(ConfigParser.validate(config), [])
    }

    func testDefaultsDetectTheEd25519Key() throws {
        let home = TemporaryDirectory()
        let ssh = home.file(".ssh")
        try FileManager.default.createDirectory(at: ssh, withIntermediateDirectories: true)
        try "ssh-rsa AAAA x\n".write(to: ssh.appendingPathComponent("id_rsa.pub"), atomically: true, encoding: .utf8)
        try "key".write(to: ssh.appendingPathComponent("id_rsa"), atomically: true, encoding: .utf8)
        let key = try OpenSSHKeyFile.generateEd25519(comment: "t")
        try OpenSSHKeyFile.write(key, to: ssh.appendingPathComponent("id_ed25519").path)
        let config = AutopodConfig.defaults(environment: ["HOME": home.path])
        XCTAssertEqual(config.sshKeyPath, ssh.appendingPathComponent("id_ed25519").path)
        let found = SSHKeyFinder(sshDirectory: ssh).discover()
        XCTAssertEqual(found.map(\.kind), [.ed25519, .rsa])
    }

    func testRoundTripAndFileModes() throws {
        let home = TemporaryDirectory()
        let paths = AutopodPaths(home: home.file("autopod"))
        let store = ConfigStore(paths: paths)
        var config = AutopodConfig()
        config.apiKey = "rpa_0123456789abcdefghij"
        config.gpuTypes = ["NVIDIA GeForce RTX 4090"]
        config.dataCenterId = "EU-RO-1"
        config.forwards = [8888, 6006]
        try store.save(config)
        XCTAssertEqual(try store.load(environment: [:]), config)
        XCTAssertEqual(TemporaryDirectory.mode(of: paths.config.path), 0o600)
        XCTAssertEqual(TemporaryDirectory.mode(of: paths.home.path), 0o700)
    }

    func testBlankGPUTypeNamesAreRefused() {
        for names in [[""], ["A40", " \t "], ["\u{3000}"]] {
            var config = AutopodConfig()
            config.gpuTypes = names
            XCTAssertEqual(ConfigParser.validate(config).map(\.field), ["gpuTypes"], "\(names)")
        }
        var config = AutopodConfig()
        config.gpuTypes = ["A40", " RTX 4090 "]
        XCTAssertEqual(ConfigParser.validate(config), [])
    }

    func testPortListAllowsSpacesAroundItems() throws {
        let specs = try PortSpec.parseList(" 8888/http ,\t22/TCP\u{3000}").get()
        XCTAssertEqual(specs, [PortSpec(port: 8888, kind: .http), PortSpec(port: 22, kind: .tcp)])
        for bad in ["8888/http,,22/tcp", "8888 /http", "x/tcp", "22/udp", "70000/tcp", " "] {
            XCTAssertThrowsError(try PortSpec.parseList(bad).get(), bad)
        }
    }

    func testReadsUTF16AndAByteOrderMark() throws {
        let json = #"{"gpuCount": 2}"#
        for data in [json.data(using: .utf16)!, Data([0xEF, 0xBB, 0xBF] + Array(json.utf8))] {
            XCTAssertEqual(try ConfigParser.parse(data, path: "/x/config.json").gpuCount, 2)
        }
    }

    func testEveryValidationErrorIsReportedAtOnce() throws {
        let json = """
            {"apiKey": "has space", "apiBaseURL": "ftp://x", "sshKeyPath": "", "sshUser": "",
             "gpuTypes": [], "gpuCount": 0, "cloudType": "MOON", "dataCenterId": "", "image": "",
             "containerDiskGB": 0, "volumeGB": -1, "volumeMountPath": "workspace", "ports": "8888/http",
             "forwards": [70000], "colour": "blue"}
            """
        XCTAssertThrowsError(try ConfigParser.parse(Data(json.utf8), path: "/x/config.json")) { error in
            guard let error = error as? ConfigError, case .invalid(let issues) = error.reason else {
                return XCTFail("\(error)")
            }
            let fields = Set(issues.map(\.field))
            XCTAssertEqual(
                fields,
                [
                    "apiKey", "apiBaseURL", "sshKeyPath", "sshUser", "gpuTypes", "gpuCount", "cloudType", "dataCenterId",
                    "image", "containerDiskGB", "volumeGB", "volumeMountPath", "ports", "forwards", "colour",
                ])
            XCTAssertTrue(error.description.contains("/x/config.json"))
            XCTAssertTrue(error.description.contains("cloudType: \"MOON\" is not one of SECURE, COMMUNITY, ALL"))
            XCTAssertTrue(error.description.contains("must include 22/tcp"))
        }
    }

    func testWrongTypesAreNamed() {
        let json = #"{"gpuCount": "two", "gpuTypes": "A40", "forwards": [true]}"#
        XCTAssertThrowsError(try ConfigParser.parse(Data(json.utf8), path: "c.json")) { error in
            guard let error = error as? ConfigError, case .invalid(let issues) = error.reason else { return XCTFail() }
            XCTAssertEqual(Set(issues.map(\.field)), ["gpuCount", "gpuTypes", "forwards"])
        }
    }

    func testHugeForwardIsNamedNotACrash() {
        for json in [#"{"forwards": [1e300]}"#, #"{"forwards": [-1e300]}"#, #"{"forwards": [8888.5]}"#] {
            XCTAssertThrowsError(try ConfigParser.parse(Data(json.utf8), path: "c.json"), json) { error in
                guard let error = error as? ConfigError, case .invalid(let issues) = error.reason else { return XCTFail(json) }
                XCTAssertEqual(issues.map(\.field), ["forwards"], json)
            }
        }
    }

    func testUnparsableFileIsReportedWithItsLineAndLeftIntact() throws {
        let home = TemporaryDirectory()
        let paths = AutopodPaths(home: home.url)
        let broken = "{\n  \"gpuCount\": 1,\n  \"image\": oops\n}\n"
        try Data(broken.utf8).write(to: paths.config)
        let store = ConfigStore(paths: paths)
        XCTAssertThrowsError(try store.load(environment: [:])) { error in
            guard let error = error as? ConfigError, case .syntax(let line, _) = error.reason else { return XCTFail("\(error)") }
            XCTAssertEqual(line, 3)
            XCTAssertTrue(error.description.contains(paths.config.path))
            XCTAssertTrue(error.description.contains("will not overwrite"))
        }
        XCTAssertEqual(try Data(contentsOf: paths.config), Data(broken.utf8))
    }

    func testProcessEnvironmentIsReadAsItIsNow() {
        unsetenv("AUTOPOD_TEST_VARIABLE")
        XCTAssertNil(Environment.process["AUTOPOD_TEST_VARIABLE"])
        setenv("AUTOPOD_TEST_VARIABLE", "a=b c", 1)
        defer { unsetenv("AUTOPOD_TEST_VARIABLE") }
        XCTAssertEqual(Environment.process["AUTOPOD_TEST_VARIABLE"], "a=b c")
    }

    func testEnvironmentOverridesTheFile() {
        var config = AutopodConfig()
        config.apiKey = "rpa_from_file_000000000"
        let environment: Environment = ["RUNPOD_API_KEY": "rpa_from_env_111111111", "RUNPOD_API_BASE_URL": "http://127.0.0.1:9"]
        XCTAssertEqual(config.effectiveAPIKey(environment: environment), "rpa_from_env_111111111")
        XCTAssertEqual(config.effectiveBaseURL(environment: environment), "http://127.0.0.1:9")
        XCTAssertEqual(config.effectiveAPIKey(environment: [:]), "rpa_from_file_000000000")
        XCTAssertEqual(config.effectiveBaseURL(environment: ["RUNPOD_API_BASE_URL": ""]), AutopodConfig.defaultBaseURL)
    }

    func testHomeFromEnvironment() {
        XCTAssertEqual(AutopodPaths.fromEnvironment(["AUTOPOD_HOME": "/tmp/ah"]).config.path, "/tmp/ah/config.json")
        XCTAssertEqual(AutopodPaths.fromEnvironment(["HOME": "/home/u"]).home.path, "/home/u/.autopod")
        XCTAssertEqual(AutopodPaths.fromEnvironment(["HOME": "/home/u", "AUTOPOD_HOME": "~/ap"]).home.path, "/home/u/ap")
    }

    func testMaskShowsOnlyTheEnds() {
        XCTAssertEqual(AutopodConfig.mask("rpa_ABCDEFGHIJKLMNOP1234"), "••••1234")
        XCTAssertEqual(AutopodConfig.mask(nil), "(not set)")
        XCTAssertFalse(AutopodConfig.mask("shortsecret").contains("secret"))
    }
}
