@testable import AutopodCore
import XCTest

/// `config init` repairs a file with bad values: what could be read is kept, the rest listed.
final class ConfigRepairTests: XCTestCase {
    func testBadValuesAreListedAndTheRestKept() throws {
        let json = #"{"gpuCount": "two", "image": "my/image:1", "volumeGB": -5, "cloudType": "community", "colour": "blue"}"#
        let (config, issues) = try ConfigParser.parseKeepingIssues(Data(json.utf8), path: "config.json")
        XCTAssertEqual(Set(issues.map(\.field)), ["gpuCount", "volumeGB", "colour"])
        XCTAssertEqual(config.image, "my/image:1")
        XCTAssertEqual(config.cloudType, .community)
        XCTAssertEqual(config.gpuCount, AutopodConfig().gpuCount, "a bad value is back at its default")
        XCTAssertEqual(config.volumeGB, AutopodConfig().volumeGB)
        XCTAssertEqual(ConfigParser.validate(config), [], "what comes back validates")
        XCTAssertThrowsError(try ConfigParser.parse(Data(json.utf8), path: "config.json"))
    }

    func testEarlierKeysComeAfterTheConfiguredOneWithoutRepeats() {
        var config = AutopodConfig(sshKeyPath: "/k/new")
        config.extraSSHKeyPaths = ["/k/old", "/k/new", "/k/older"]
        XCTAssertEqual(config.sshKeyPaths, ["/k/new", "/k/old", "/k/older"])
    }
}
