import AutopodCore
import XCTest

final class GPUNameResolverTests: XCTestCase {
    let resolver = GPUNameResolver(types: [
        GPUType(id: "NVIDIA A40", displayName: "A40", memoryInGb: 48),
        GPUType(id: "NVIDIA RTX A6000", displayName: "RTX A6000", memoryInGb: 48),
        GPUType(id: "NVIDIA RTX A5000", displayName: "RTX A5000", memoryInGb: 24),
        GPUType(id: "NVIDIA RTX A4000", displayName: "RTX A4000", memoryInGb: 16),
        GPUType(id: "NVIDIA GeForce RTX 4090", displayName: "RTX 4090", memoryInGb: 24),
        GPUType(id: "NVIDIA H100 80GB HBM3", displayName: "H100 SXM", memoryInGb: 80),
        GPUType(id: "NVIDIA H100 PCIe", displayName: "H100 PCIe", memoryInGb: 80),
        GPUType(id: "NVIDIA RTX 4000 Ada Generation", displayName: "RTX 4000 Ada", memoryInGb: 20),
    ])

    func testShortNamesPeopleType() throws {
        XCTAssertEqual(try resolver.resolve("A40").id, "NVIDIA A40")
        XCTAssertEqual(try resolver.resolve("a40").id, "NVIDIA A40")
        XCTAssertEqual(try resolver.resolve("a6000").id, "NVIDIA RTX A6000")
        XCTAssertEqual(try resolver.resolve("RTX A5000").id, "NVIDIA RTX A5000")
        XCTAssertEqual(try resolver.resolve("4090").id, "NVIDIA GeForce RTX 4090")
        XCTAssertEqual(try resolver.resolve("rtx 4090").id, "NVIDIA GeForce RTX 4090")
        XCTAssertEqual(try resolver.resolve("GeForce RTX 4090").id, "NVIDIA GeForce RTX 4090")
        XCTAssertEqual(try resolver.resolve("4000 ada").id, "NVIDIA RTX 4000 Ada Generation")
    }

    func testFullIdsAndDisplayNames() throws {
        XCTAssertEqual(try resolver.resolve("NVIDIA H100 80GB HBM3").id, "NVIDIA H100 80GB HBM3")
        XCTAssertEqual(try resolver.resolve("nvidia h100 pcie").id, "NVIDIA H100 PCIe")
        XCTAssertEqual(try resolver.resolve("H100 SXM").id, "NVIDIA H100 80GB HBM3")
    }

    func testAmbiguousNameListsCandidates() {
        XCTAssertThrowsError(try resolver.resolve("H100")) { error in
            guard case GPUNameError.ambiguous(_, let candidates) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(Set(candidates.map(\.id)), ["NVIDIA H100 80GB HBM3", "NVIDIA H100 PCIe"])
            XCTAssertTrue("\(error)".contains("H100 SXM"))
            XCTAssertTrue("\(error)".contains("H100 PCIe"))
        }
    }

    func testUnknownNameListsKnownTypes() {
        XCTAssertThrowsError(try resolver.resolve("B200")) { error in
            guard case GPUNameError.unknown(let name, let known) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "B200")
            XCTAssertTrue(known.contains("A40"))
            XCTAssertTrue("\(error)".contains("RTX 4090"))
        }
        XCTAssertThrowsError(try resolver.resolve("RTX"))
    }

    func testPreferenceListKeepsOrderAndDropsRepeats() throws {
        let ids = try resolver.resolveAll(["4090", "A40", "NVIDIA A40", "a6000"]).map(\.id)
        XCTAssertEqual(ids, ["NVIDIA GeForce RTX 4090", "NVIDIA A40", "NVIDIA RTX A6000"])
    }
}
