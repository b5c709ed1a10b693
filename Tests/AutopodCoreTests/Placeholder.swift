import XCTest
final class AutopodCoreTestsPlaceholder: XCTestCase { func testNothing() {} }
