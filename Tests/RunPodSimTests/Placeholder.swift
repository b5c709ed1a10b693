import XCTest
final class RunPodSimTestsPlaceholder: XCTestCase { func testNothing() {} }
