@testable import AutopodCore
import XCTest

/// The bid `connect --spot` makes: the user's, or the market's minimum plus a margin, in whole
/// cents rounded up so it is never below minimum plus margin.
final class SpotBidTests: XCTestCase {
    func testAFixedBidIsUsedAsGiven() {
        XCTAssertEqual(SpotBid(fixed: 0.25).bid(minimum: 0.4), 0.25)
        XCTAssertEqual(SpotBid(fixed: 0.25).bid(minimum: nil), 0.25)
    }

    func testTheDefaultIsTheMinimumPlusTenPercentInWholeCents() throws {
        XCTAssertEqual(try XCTUnwrap(SpotBid().bid(minimum: 0.2)), 0.22, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(SpotBid().bid(minimum: 0.37)), 0.41, accuracy: 1e-9, "0.407 rounds up")
        // At least a cent above the minimum, however small it is.
        XCTAssertEqual(try XCTUnwrap(SpotBid().bid(minimum: 0.05)), 0.06, accuracy: 1e-9)
        XCTAssertNil(SpotBid().bid(minimum: nil))
    }
}
