import XCTest
final class SSHKitTestsPlaceholder: XCTestCase { func testNothing() {} }
